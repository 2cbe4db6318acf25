import type { Request, RequestHandler, Response } from 'express'
import type { LandingPage, MagicLinkLandingOptions } from '../../../types/landing.js'
import { looksLikeCode } from '../../engine/codes.js'
import type { Engine } from '../../engine/engine.js'
import { redemptionFor } from '../../engine/inspect.js'
import { redeemCode } from '../../engine/redeem.js'
import { authcodeErrorOf } from '../../errors/authcode-error.js'
import { parseParams, rawQuery, type FormParams } from '../../http/params.js'
import { approvePage } from './approve.js'
import type { BrowserBinding } from './binding.js'
import type { CrossDevice } from './cross-device.js'
import { csrfHolds, csrfSecret, csrfToken, foreignPost } from './csrf.js'
import { pageShower } from './pages.js'

/** What the landing page works with. */
export interface Landing {
  engine: Engine
  binding: BrowserBinding
  options: MagicLinkLandingOptions
  /** Present when `crossDevice` is on. */
  crossDevice?: CrossDevice | undefined
}

/** A bound link in a browser without its verifier: `other-browser`, or with `crossDevice` the page to approve it from. */
async function otherBrowserPage(landing: Landing, code: string, req: Request, res: Response): Promise<LandingPage> {
  const { crossDevice } = landing
  return crossDevice ? approvePage({ ...landing, crossDevice }, code, req, res) : { name: 'other-browser' }
}

/**
 * `GET` (and `HEAD`) of the landing page: reads the code without consuming it and shows the page
 * it allows. Only `confirm` carries the code, in a form whose button POSTs it back with a CSRF
 * token bound to this browser; link previews and mail scanners spend nothing.
 */
export function showLanding(landing: Landing): RequestHandler {
  const { engine, binding, options } = landing
  return async function showLanding(req, res) {
    const show = pageShower(options.renderPage, req, res)
    const { params, repeated } = parseParams(rawQuery(req.originalUrl))
    const code = params.code
    if (code === undefined || repeated.includes('code') || !looksLikeCode(code)) return show({ name: 'error' })
    const verdict = await redemptionFor(engine, code, binding.verifierOf(req))
    if ('page' in verdict) return show(verdict.page === 'used' ? { name: 'used' } : await otherBrowserPage(landing, code, req, res))
    const fields = { code, csrf_token: csrfToken(binding.cookies, csrfSecret(req, res, binding.cookies), code) }
    return show({ name: 'confirm', form: { action: binding.path, fields } })
  }
}

/**
 * `POST` of the landing page, the confirm button: refused (consuming nothing) when the browser
 * says it comes from another origin, or without the CSRF token of this browser and code, or when
 * the code would not redeem in this browser (one read, whose opened record the consumption
 * reuses); then the code is redeemed, with the browser's verifier when it is bound, and the
 * host's `signIn` answers.
 */
export function redeemLanding(landing: Landing): RequestHandler {
  const { engine, binding, options } = landing
  return async function redeemLanding(req, res) {
    const show = pageShower(options.renderPage, req, res)
    if (foreignPost(req, binding.origin)) return show({ name: 'error' }, 403)
    const { code, csrf_token: token } = req.body as FormParams
    if (code === undefined || !looksLikeCode(code)) return show({ name: 'error' })
    if (!csrfHolds(req, binding.cookies, code, token)) return show({ name: 'error' }, 403)
    // Read first: consumed without the browser's verifier, a bound code would burn.
    const verdict = await redemptionFor(engine, code, binding.verifierOf(req))
    if ('page' in verdict) return show(verdict.page === 'used' ? { name: 'used' } : await otherBrowserPage(landing, code, req, res))
    let grant
    try {
      grant = await redeemCode(engine, code, verdict.redeem, verdict.opened)
    } catch (err) {
      // Spent between the read and now (another tab, a second press): only the consumption decides.
      if (authcodeErrorOf(err)?.failure === 'invalid') return show({ name: 'used' })
      throw err
    }
    await options.signIn(grant, req, res)
  }
}
