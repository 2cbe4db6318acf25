import { Router } from 'express'
import type { AuthcodeRouter } from '../../lib/index.js'
import { html } from '../html.js'
import { sendPage } from '../layout.js'
import { safeReturnTo } from './login.js'

/** What each scope lets a client do, as the consent page says it. */
const SCOPE_TEXT: Record<string, string> = { openid: 'know who you are', profile: 'read your name', email: 'read your e-mail address' }

/**
 * The consent page (`consentUrl`): express-authcode sends the browser here with `return_to`,
 * `client_id` and `scope` when a client needs the user's approval; the answer is recorded with
 * `auth.grantConsent()` or `auth.denyConsent()` and the browser goes back to `return_to`.
 */
export function consentRoutes(auth: AuthcodeRouter, clients: ReadonlyArray<{ id: string; name: string }>): Router {
  const names = new Map(clients.map((client) => [client.id, client.name]))
  const router = Router()

  router.get('/consent', (req, res) => {
    const returnTo = safeReturnTo(req.query.return_to)
    if (!req.session.userId) return res.redirect(303, `/login?return_to=${encodeURIComponent(req.originalUrl)}`)
    const clientId = String(req.query.client_id ?? '')
    const scopes = String(req.query.scope ?? '')
      .split(' ')
      .filter(Boolean)
    if (!names.has(clientId)) {
      return sendPage(req, res, 'Nothing to approve', html`<p>No application is waiting for your approval. <a href="/">Home</a></p>`, 400)
    }
    sendPage(
      req,
      res,
      `Allow ${names.get(clientId)}?`,
      html` <p><strong>${names.get(clientId)}</strong> (<code>${clientId}</code>) asks to:</p>
        <ul>
          ${scopes.map((s) => html`<li>${SCOPE_TEXT[s] ?? s} <small class="muted">(${s})</small></li>`)}
        </ul>
        <p class="muted">Only allow apps you started yourself. Any program on this computer can claim a native app's address.</p>
        <form method="post" action="/consent" class="actions">
          <input type="hidden" name="return_to" value="${returnTo}" />
          <input type="hidden" name="client_id" value="${clientId}" />
          <input type="hidden" name="scope" value="${scopes.join(' ')}" />
          <button name="decision" value="allow" id="consent-allow">Allow</button>
          <button name="decision" value="deny" id="consent-deny" class="secondary">Deny</button>
        </form>`,
    )
  })

  router.post('/consent', async (req, res) => {
    const consent = { clientId: String(req.body?.client_id ?? ''), scope: String(req.body?.scope ?? '') }
    if (!req.session.userId || !names.has(consent.clientId)) return res.redirect(303, '/')
    await (req.body?.decision === 'allow' ? auth.grantConsent(req, consent) : auth.denyConsent(req, consent))
    res.redirect(303, safeReturnTo(req.body?.return_to))
  })

  return router
}
