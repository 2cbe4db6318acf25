import { randomUUID } from 'node:crypto'
import { Router, type Request, type Response } from 'express'
import { InvalidGrantError, type AuthcodeRouter } from '../../lib/index.js'
import { AUTH_MOUNT, MAGIC_PATH } from '../auth.js'
import { html } from '../html.js'
import { post } from '../http-call.js'
import { devRoutesOn, sendPage } from '../layout.js'
import { DEMO_USERS, userByEmail } from '../users.js'
import { signIn } from './login.js'

/** What the magic-link pages need: the router, and how to reach `POST /codes` as the account service. */
export interface MagicLinkDeps {
  auth: AuthcodeRouter
  baseUrl: string
  /** The account service's client id and bearer token. */
  clientId: string
  serviceToken: string
}

/**
 * Asking for a sign-in e-mail (a link and a passcode, both bound to this browser) and typing
 * the passcode. Both pages live under the landing page's path, which the binding cookie reaches:
 * asking again from this browser keeps its verifier, and the passcode page reads it.
 */
export function magicLinkRoutes({ auth, baseUrl, clientId, serviceToken }: MagicLinkDeps): Router {
  const router = Router()

  router.get('/magic-link', (req, res) => {
    sendPage(
      req,
      res,
      'E-mail me a magic link',
      html` <form method="post" action="${MAGIC_PATH}/send" class="stack">
          <label for="email">Your e-mail address</label>
          <input id="email" name="email" type="email" required autocomplete="email" placeholder="ada@example.com" />
          <button>E-mail me a sign-in link</button>
        </form>
        <p class="muted">
          Demo addresses: ${DEMO_USERS.map((u, i) => html`${i ? ', ' : ''}<code>${u.email}</code>`)}.
          ${devRoutesOn(req) ? html`The e-mail lands in the <a href="/mailbox">dev mailbox</a>.` : ''}
        </p>`,
    )
  })

  router.post(`${MAGIC_PATH}/send`, (req, res) => {
    const email = String(req.body?.email ?? '')
    const user = userByEmail(email)
    // Every browser that asks gets the binding cookie, known address or not: the answer must not tell them apart.
    const challenge = auth.bindBrowser(req, res)
    // The same page at the same speed whether or not the address is known, so the form cannot
    // list accounts: the back end asks POST /codes for the link after answering, off this request.
    if (user) {
      setImmediate(() => {
        post(`${baseUrl}${AUTH_MOUNT}/codes`, {
          headers: { authorization: `Bearer ${serviceToken}`, 'idempotency-key': randomUUID() },
          json: { external_user_id: user.id, ttl: 600, code_challenge: challenge, code_challenge_method: 'S256', otp: true },
        }).then(
          (call) => {
            if (call.status !== 201) console.error(`POST /codes answered ${call.status} for a magic link`)
          },
          (err: unknown) => console.error('POST /codes failed for a magic link', err),
        )
      })
    }
    sendPage(
      req,
      res,
      'Check your e-mail',
      html` <div class="notice ok">
          If an account uses that address, a sign-in link and a 6-digit code are on their way. They work once, in this browser, for
          10 minutes.
        </div>
        ${passcodeForm(email)}
        ${
          devRoutesOn(req)
            ? html`<p>
              <!-- A tab of its own, so that this page, where the code is typed, stays open. -->
              <a class="button secondary" href="/mailbox" target="_blank" rel="noopener">Open the dev mailbox</a> (in a new tab)
            </p>`
            : ''
        }`,
    )
  })

  router.get(`${MAGIC_PATH}/code`, (req, res) => {
    sendPage(req, res, 'Type your code', passcodeForm(''))
  })

  router.post(`${MAGIC_PATH}/code`, async (req, res) => {
    const email = String(req.body?.email ?? '')
    const user = userByEmail(email)
    try {
      // An unknown address is tried too (as a subject no code has), so that it answers like a wrong code.
      const subject = user?.id ?? `unknown:${email}`
      const grant = await auth.redeemOtp({ clientId, subject, otp: String(req.body?.otp ?? ''), codeVerifier: auth.browserVerifier(req) })
      await signIn(req, grant.subject, 'a passcode')
      res.redirect(303, '/')
    } catch (err) {
      if (!(err instanceof InvalidGrantError)) throw err
      wrongCode(req, res, email)
    }
  })

  return router
}

/** The passcode form: the address it was sent to, and the six digits. */
function passcodeForm(email: string) {
  return html`<form method="post" action="${MAGIC_PATH}/code" class="stack" id="passcode-form">
    <p>On a phone, or the link does not open here? Type the code from the e-mail on this page.</p>
    ${
      email
        ? html`<input type="hidden" name="email" value="${email}" />`
        : html`<label for="passcode-email">Your e-mail address</label>
            <input id="passcode-email" name="email" type="email" required autocomplete="email" />`
    }
    <label for="otp">The 6-digit code</label>
    <input id="otp" name="otp" required inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" />
    <button id="otp-sign-in">Sign in with the code</button>
  </form>`
}

/** One answer for a wrong, spent or unknown code, whatever the address: it tells nobody whether an account exists. */
function wrongCode(req: Request, res: Response, email: string): void {
  sendPage(
    req,
    res,
    'Type your code',
    html`<div class="notice bad" id="passcode-refused">
        That code is not right, or it has expired. After 5 wrong tries it stops working:
        <a href="/magic-link">ask for a new link</a>.
      </div>
      ${passcodeForm(email)}`,
    400,
  )
}
