import { Router, type Request, type Response } from 'express'
import type { AuthcodeRouter } from '../../lib/index.js'
import { html } from '../html.js'
import { sendPage } from '../layout.js'
import { MCP_SCOPE } from '../mcp/resource.js'
import { userById } from '../users.js'
import { safeReturnTo } from './login.js'

/** What each scope lets a client do, as the consent page says it. */
const SCOPE_TEXT: Record<string, string> = {
  openid: 'know who you are',
  profile: 'read your name',
  email: 'read your e-mail address',
  [MCP_SCOPE]: "use this app's MCP tools as you, which tell it your name and e-mail address",
}

/**
 * The consent page (`consentUrl`): express-authcode sends the browser here with `return_to`,
 * `client_id` and `scope` when a client needs the user's approval. The page shows what
 * `auth.describeClient()` says of the client (its registered name and where its codes go, never
 * what the URL claims), records the answer with `auth.grantConsent()` or `auth.denyConsent()`
 * for that very request (`returnTo`), and sends the browser back to `return_to`. A native app
 * is asked on every sign-in: the approval answers this request only (RFC 8252 §8.6). The page
 * of a request already answered, seen again (Back), says so instead of asking again. A client
 * that arrived by URL (an MCP client's metadata document) is shown by what its document says, and
 * where its codes go: the MCP authorization spec asks that the redirect hosts be shown.
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization
 */
export function consentRoutes(auth: AuthcodeRouter): Router {
  const router = Router()

  router.get('/consent', async (req, res) => {
    const returnTo = safeReturnTo(req.query.return_to)
    const user = userById(req.session.userId)
    if (!user) return res.redirect(303, `/login?return_to=${encodeURIComponent(req.originalUrl)}`)
    if (req.session.consentAnswered?.includes(returnTo)) return alreadyAnswered(req, res)
    const client = await auth.describeClient(String(req.query.client_id ?? ''))
    const scopes = String(req.query.scope ?? '')
      .split(' ')
      .filter(Boolean)
    if (!client) {
      return sendPage(req, res, 'Nothing to approve', html`<p>No application is waiting for your approval. <a href="/">Home</a></p>`, 400)
    }
    const name = client.name ?? client.id
    sendPage(
      req,
      res,
      `Allow ${name}?`,
      html` <p id="consent-account">You are signed in as <strong>${user.name}</strong> (${user.email}).</p>
        <p><strong>${name}</strong> (<code>${client.id}</code>) asks to:</p>
        <ul>
          ${scopes.map((s) => html`<li>${SCOPE_TEXT[s] ?? s} <small class="muted">(${s})</small></li>`)}
        </ul>
        <p id="consent-redirect-hosts">
          If you allow it, your sign-in goes to ${client.redirectHosts.map((host, i) => html`${i === 0 ? '' : ', '}<code>${host}</code>`)}.
        </p>
        ${
          client.metadataDocument
            ? html`<p id="consent-client-document" class="muted">
                This app names itself by the document at <code>${client.id}</code>: its name is what that document says, not something
                this site checked.
              </p>`
            : ''
        }
        <p class="muted">
          Only allow apps you started yourself, just now. Any program on this computer can claim a native app's address, so you are
          asked each time.
        </p>
        <form method="post" action="/consent" class="actions">
          <input type="hidden" name="return_to" value="${returnTo}" />
          <input type="hidden" name="client_id" value="${client.id}" />
          <input type="hidden" name="scope" value="${scopes.join(' ')}" />
          <button name="decision" value="allow" id="consent-allow">Allow</button>
          <button name="decision" value="deny" id="consent-deny" class="secondary">Deny</button>
        </form>`,
    )
  })

  router.post('/consent', async (req, res) => {
    const returnTo = safeReturnTo(req.body?.return_to)
    const consent = { clientId: String(req.body?.client_id ?? ''), scope: String(req.body?.scope ?? ''), returnTo }
    if (!req.session.userId || !(await auth.describeClient(consent.clientId))) return res.redirect(303, '/')
    // Back to a consent page already answered, then Allow: that sign-in is over, and no new code is asked for.
    if (req.session.consentAnswered?.includes(returnTo)) return alreadyAnswered(req, res)
    req.session.consentAnswered = [...(req.session.consentAnswered ?? []), returnTo].slice(-ANSWERS_KEPT)
    await (req.body?.decision === 'allow' ? auth.grantConsent(req, consent) : auth.denyConsent(req, consent))
    res.redirect(303, returnTo)
  })

  return router
}

/** How many answered requests a session remembers, to tell Back to their consent pages apart. */
const ANSWERS_KEPT = 10

function alreadyAnswered(req: Request, res: Response): void {
  sendPage(
    req,
    res,
    'Already answered',
    html`<div class="notice" id="consent-answered">
        You already answered this application's request, and that sign-in is over. To sign in to it again, start again from the
        application.
      </div>
      <p><a class="button" href="/">Home</a></p>`,
  )
}
