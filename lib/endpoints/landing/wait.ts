import type { RequestHandler } from 'express'
import { approvalNumber, approvalState, redeemApproved } from '../../engine/approval.js'
import { authcodeErrorOf } from '../../errors/authcode-error.js'
import { ValidationError } from '../../errors/problems.js'
import type { FormParams } from '../../http/params.js'
import { sendJson, sendRedirect } from '../../http/send.js'
import type { CrossDeviceLanding } from './approve.js'
import { wellFormed } from './cross-device.js'
import { csrfHolds, csrfSecret, csrfToken, foreignPost } from './csrf.js'
import { pageShower } from './pages.js'

/** What the completion form's CSRF token holds for: its purpose and the pending sign-in. */
const completing = (token: string) => `wait ${token}`

/**
 * `GET` (and `HEAD`) of `wait_url`, the waiting page: for the browser that asked (its binding
 * verifier's challenge is the one `pending` was made for), the number to type on the other device,
 * where the sign-in stands, what to poll, and while it may still finish, the form that finishes it
 * (a CSRF token of this browser and this sign-in). Any other browser gets `wait` with none of it
 * (403). It reads the store, never writes it: a reload changes nothing.
 */
export function showWait({ engine, binding, options, crossDevice }: CrossDeviceLanding): RequestHandler {
  return async function showWait(req, res) {
    const show = pageShower(options.renderPage, req, res)
    const token = crossDevice.tokenIn(req)
    if (token === undefined) return show({ name: 'error' })
    const pending = crossDevice.pendingOf(req, token)
    if (pending === undefined) return show({ name: 'wait' }, 403)
    const { status } = await approvalState(engine, pending.id)
    const wait = {
      number: approvalNumber(engine.atRest, pending.id, pending.challenge),
      status,
      statusUrl: `${crossDevice.statusPath}?pending=${token}`,
      scriptUrl: crossDevice.scriptPath,
    }
    if (status !== 'pending' && status !== 'approved') return show({ name: 'wait', wait })
    const csrf = csrfToken(binding.cookies, csrfSecret(req, res, binding.cookies), completing(token))
    return show({ name: 'wait', wait, form: { action: crossDevice.waitPath, fields: { pending: token, csrf_token: csrf } } })
  }
}

/**
 * `GET <path>/wait/status`: `{ "status": "pending" | "approved" | "cancelled" | "expired" }` for the
 * browser that asked; a 400 `validation-error` for any other, which learns nothing.
 */
export function waitStatus({ engine, crossDevice }: CrossDeviceLanding): RequestHandler {
  return async function waitStatus(req, res) {
    const token = crossDevice.tokenIn(req)
    const pending = token === undefined ? undefined : crossDevice.pendingOf(req, token)
    if (pending === undefined) {
      throw new ValidationError([{ detail: 'pending names no sign-in this browser asked for.', pointer: '#/query/pending' }])
    }
    const { status } = await approvalState(engine, pending.id)
    sendJson(res, 200, { status })
  }
}

/**
 * `POST <path>/wait`, the waiting page's completion. Refused, spending nothing, as the confirm
 * POST is: from another origin, or without the CSRF token of this browser and this sign-in, or
 * from a browser that did not ask. Once approved, the code the approval kept for this browser is
 * redeemed with its verifier, as any redemption is, and the host's `signIn` answers; before (or
 * after) that, a 303 back to the waiting page, which says where the sign-in stands.
 */
export function completeWait({ engine, binding, options, crossDevice }: CrossDeviceLanding): RequestHandler {
  return async function completeWait(req, res) {
    const show = pageShower(options.renderPage, req, res)
    if (foreignPost(req, binding.origin)) return show({ name: 'error' }, 403)
    const { pending: sent, csrf_token: csrf } = req.body as FormParams
    const token = wellFormed(sent)
    if (token === undefined) return show({ name: 'error' })
    if (!csrfHolds(req, binding.cookies, completing(token), csrf)) return show({ name: 'error' }, 403)
    const pending = crossDevice.pendingOf(req, token)
    if (pending === undefined) return show({ name: 'wait' }, 403)
    let redeemed
    try {
      redeemed = await redeemApproved(engine, pending.id, pending.challenge, pending.verifier)
    } catch (err) {
      // Spent between the read and now (a second tab): only the consumption decides.
      if (authcodeErrorOf(err)?.failure === 'invalid') return show({ name: 'used' })
      throw err
    }
    if ('status' in redeemed) return sendRedirect(res, `${crossDevice.waitPath}?pending=${token}`)
    await options.signIn(redeemed.grant, req, res)
  }
}

/**
 * The waiting page's poller, served at `<path>/wait.js`: a same-origin script, which a host's
 * `script-src 'self'` allows, as no inline one would be. It polls the status of the form that
 * carries `data-authcode-status` at most once a second, posts that form once approved, and
 * reloads the page once the sign-in is cancelled or gone (which then shows no form).
 */
export const WAIT_SCRIPT = `// express-authcode: the waiting page of a cross-device sign-in.
;(() => {
  const form = document.querySelector('form[data-authcode-status]')
  if (!form) return
  const poll = () =>
    fetch(form.dataset.authcodeStatus, { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then((res) => (res.ok ? res.json() : { status: 'refused' }))
      .then(
        ({ status }) => (status === 'approved' ? form.submit() : status === 'pending' ? setTimeout(poll, 1000) : location.reload()),
        () => setTimeout(poll, 1000),
      )
  setTimeout(poll, 1000)
})()
`

/** `GET <path>/wait.js`: {@link WAIT_SCRIPT}. */
export const waitScript: RequestHandler = function waitScript(_req, res) {
  res.setHeader('Content-Type', 'text/javascript; charset=utf-8')
  res.end(WAIT_SCRIPT)
}
