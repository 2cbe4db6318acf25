import { randomUUID } from 'node:crypto'
import { Router } from 'express'
import { InvalidGrantError, type AuthcodeRouter } from '../../lib/index.js'
import { AUTH_MOUNT } from '../auth.js'
import { html } from '../html.js'
import { post } from '../http-call.js'
import { sendPage } from '../layout.js'
import { DEMO_USERS, userByEmail } from '../users.js'
import { signIn } from './login.js'

/** What the magic-link pages need: the router (for `redeem`) and how to reach `POST /codes` as a service. */
export interface MagicLinkDeps {
  auth: AuthcodeRouter
  baseUrl: string
  serviceToken: string
}

/**
 * The magic-link flow: ask for a link (the back end calls `POST /codes` like any service),
 * the landing page the e-mail points at, and the Sign-in button that redeems the code.
 */
export function magicLinkRoutes({ auth, baseUrl, serviceToken }: MagicLinkDeps): Router {
  const router = Router()

  router.get('/magic-link', (req, res) => {
    sendPage(
      req,
      res,
      'E-mail me a magic link',
      html` <form method="post" action="/magic-link" class="stack">
          <label for="email">Your e-mail address</label>
          <input id="email" name="email" type="email" required autocomplete="email" placeholder="ada@example.com" />
          <button>E-mail me a sign-in link</button>
        </form>
        <p class="muted">
          Demo addresses: ${DEMO_USERS.map((u, i) => html`${i ? ', ' : ''}<code>${u.email}</code>`)}. The e-mail lands in the
          <a href="/mailbox">dev mailbox</a>.
        </p>`,
    )
  })

  router.post('/magic-link', (req, res) => {
    const user = userByEmail(req.body?.email)
    // The same page at the same speed whether or not the address is known, so the form cannot
    // list accounts: the back end asks POST /codes for the link after answering, off this request.
    if (user) {
      setImmediate(() => {
        post(`${baseUrl}${AUTH_MOUNT}/codes`, {
          headers: { authorization: `Bearer ${serviceToken}`, 'idempotency-key': randomUUID() },
          json: { external_user_id: user.id, ttl: 600 },
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
          If an account uses that address, a sign-in link is on its way. It works once and expires in 10 minutes.
        </div>
        <p><a class="button" href="/mailbox">Open the dev mailbox</a></p>`,
    )
  })

  // Mail scanners and link previews fetch links in e-mails: this GET only shows a button.
  router.get('/magic', (req, res) => {
    const code = typeof req.query.code === 'string' ? req.query.code : ''
    if (!code)
      return sendPage(
        req,
        res,
        'Sign-in link incomplete',
        html`<div class="notice bad">This link has no code. Open the whole link from the e-mail.</div>`,
        400,
      )
    sendPage(
      req,
      res,
      'Finish signing in',
      html` <p>You opened a sign-in link. Press the button to sign in on this device.</p>
        <form method="post" action="/magic">
          <input type="hidden" name="code" value="${code}" />
          <button id="magic-sign-in">Sign in</button>
        </form>`,
    )
  })

  router.post('/magic', async (req, res) => {
    try {
      const grant = await auth.redeem(String(req.body?.code ?? ''), { kind: 'magic_link' })
      await signIn(req, grant.subject, 'a magic link')
      res.redirect(303, '/')
    } catch (err) {
      if (!(err instanceof InvalidGrantError)) throw err
      sendPage(
        req,
        res,
        'This link no longer works',
        html` <div class="notice bad">The sign-in link has expired or was already used.</div>
          <p><a class="button" href="/magic-link">Get a new link</a></p>`,
        400,
      )
    }
  })

  return router
}
