import type { Request, RequestHandler, Response } from 'express'
import type { LandingPage } from '../../../types/landing.js'
import { approvalState, decideApproval } from '../../engine/approval.js'
import { looksLikeCode } from '../../engine/codes.js'
import { redemptionFor } from '../../engine/inspect.js'
import type { FormParams } from '../../http/params.js'
import type { CrossDevice } from './cross-device.js'
import { csrfHolds, csrfSecret, csrfToken, foreignPost } from './csrf.js'
import type { Landing } from './landing.js'
import { pageShower } from './pages.js'

/** The landing page with cross-device approval on. */
export type CrossDeviceLanding = Landing & { crossDevice: CrossDevice }

/** What the approve form's CSRF token holds for: its purpose and the code, so that no confirm token passes here. */
const approving = (code: string) => `approve ${code}`

/**
 * The page of a bound link opened in a browser without its verifier, with cross-device approval
 * on: `approved` once the browser that asked was approved, else `approve`, whose form posts the
 * number typed here, the code and a CSRF token of this browser to `<path>/approve`. Nothing in it
 * tells the number.
 */
export async function approvePage(landing: CrossDeviceLanding, code: string, req: Request, res: Response): Promise<LandingPage> {
  const { engine, binding, crossDevice } = landing
  const state = await approvalState(engine, engine.atRest.codeId(code))
  if (state.status === 'approved') return { name: 'approved' }
  const csrf = csrfToken(binding.cookies, csrfSecret(req, res, binding.cookies), approving(code))
  return { name: 'approve', cancelled: false, form: { action: crossDevice.approvePath, fields: { code, csrf_token: csrf } } }
}

/**
 * `POST <path>/approve`, the number typed on the device that opened a bound link (SPEC §3.5c).
 * Refused, deciding nothing, as the confirm POST is: when the browser says it comes from another
 * origin, or without the CSRF token of this browser and this code. Then, for a live bound code
 * this browser lacks the verifier of, the engine decides once: the right number approves the
 * browser that asked (`approved`: this one is not signed in), any other cancels the sign-in and
 * burns the grant (`approve`, cancelled, 410). After a decision, another number changes nothing.
 */
export function approveSignIn({ engine, binding, options }: CrossDeviceLanding): RequestHandler {
  return async function approveSignIn(req, res) {
    const show = pageShower(options.renderPage, req, res)
    if (foreignPost(req, binding.origin)) return show({ name: 'error' }, 403)
    const { code, csrf_token: token, number } = req.body as FormParams
    if (code === undefined || !looksLikeCode(code)) return show({ name: 'error' })
    if (!csrfHolds(req, binding.cookies, approving(code), token)) return show({ name: 'error' }, 403)
    const verdict = await redemptionFor(engine, code, binding.verifierOf(req))
    // A browser that redeems the link itself (an unbound link, or the browser that asked) has nothing to approve.
    if (!('page' in verdict)) return show({ name: 'error' })
    if (verdict.page === 'used') return show({ name: 'used' })
    const decided = await decideApproval(engine, code, verdict.opened, (number ?? '').trim())
    if (decided === 'approved') return show({ name: 'approved' })
    if (decided === 'cancelled') return show({ name: 'approve', cancelled: true }, 410)
    return show({ name: 'used' })
  }
}
