import { Router, type Request } from 'express'
import { html, type SafeHtml } from '../html.js'
import { sendPage } from '../layout.js'
import { SESSION_COOKIE } from '../session.js'
import type { SignInMethod } from '../session-data.js'
import { DEMO_USERS, userById } from '../users.js'

/**
 * Only a path on this site, so `return_to` cannot send the visitor elsewhere (open redirect);
 * `//host` and `/\host` are refused because browsers read them as other hosts.
 */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/'
}

/** Starts a fresh session for `userId`: a new session id on sign-in defeats session fixation. */
export async function signIn(req: Request, userId: string, via: SignInMethod): Promise<void> {
  await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())))
  req.session.userId = userId
  req.session.signedInVia = via
  req.session.signedInAt = Math.floor(Date.now() / 1000)
  await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())))
}

/** Why the sign-in page is shown: to whom is signed in already, and to someone sent here on their way elsewhere. */
function loginNotice(req: Request, returnTo: string): SafeHtml | '' {
  const user = userById(req.session.userId)
  const forApp = returnTo.includes('/authorize')
  if (user) {
    return html`<div class="notice" id="login-signed-in">
      You are signed in as ${user.name}. ${forApp ? 'An application asks you to sign in again' : 'To switch, sign in again'}: pick
      ${user.name} or another user.
    </div>`
  }
  if (forApp) return html`<div class="notice">An application asked you to sign in. You will be sent back to it.</div>`
  if (returnTo !== '/') return html`<div class="notice" id="login-to-continue">Sign in to continue to that page.</div>`
  return ''
}

/** The sign-in page (`loginUrl` of express-authcode) and sign-out. */
export function loginRoutes(): Router {
  const router = Router()

  router.get('/login', (req, res) => {
    const returnTo = safeReturnTo(req.query.return_to)
    sendPage(
      req,
      res,
      'Sign in',
      html` ${loginNotice(req, returnTo)}
        <p>Pick a demo user. (A real app would ask for a password or passkey here.)</p>
        <form method="post" action="/login">
          <input type="hidden" name="return_to" value="${returnTo}" />
          <ul class="users">
            ${DEMO_USERS.map(
              (u) =>
                html`<li>
                  <button name="user_id" value="${u.id}">${u.name}<small>${u.email}</small></button>
                </li>`,
            )}
          </ul>
        </form>
        <p class="muted">Or <a href="/magic-link">get a magic link by e-mail</a>.</p>`,
    )
  })

  router.post('/login', async (req, res) => {
    const user = userById(req.body?.user_id)
    if (!user)
      return sendPage(
        req,
        res,
        'Sign in',
        html`<div class="notice bad">Unknown user.</div>
          <a href="/login">Try again</a>`,
        400,
      )
    await signIn(req, user.id, 'the sign-in page')
    res.redirect(303, safeReturnTo(req.body?.return_to))
  })

  router.post('/logout', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.clearCookie(SESSION_COOKIE).redirect(303, '/')))
  })

  return router
}
