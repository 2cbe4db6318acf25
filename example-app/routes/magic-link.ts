import { randomBytes, randomInt, randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { Router, type Request, type Response } from 'express'
import { rateLimit } from 'express-rate-limit'
import { afterPostPage, showAfterPost } from '../after-post.js'
import { InvalidGrantError, type AuthcodeRouter } from '../../lib/index.js'
import { AUTH_MOUNT, MAGIC_PATH, PASSCODE_TRIES } from '../auth.js'
import { html, type SafeHtml } from '../html.js'
import { post } from '../http-call.js'
import { devRoutesOn, sendPage } from '../layout.js'
import { DEMO_USERS, userByEmail } from '../users.js'
import { sendIfSignedIn } from './already-signed-in.js'
import { signIn } from './login.js'
import { passcodeForm } from './passcode-form.js'
import { sendWaitingPage } from './waiting-page.js'

/** What the magic-link pages need: the router, and how to reach `POST /codes` as the account service. */
export interface MagicLinkDeps {
  auth: AuthcodeRouter
  baseUrl: string
  /** The account service's client id and bearer token. */
  clientId: string
  serviceToken: string
}

const WAIT_PATH = `${MAGIC_PATH}/wait`
const CODE_PATH = `${MAGIC_PATH}/code`

/**
 * The form's answer never comes sooner than this, known address or not: asking `POST /codes`
 * takes longer than inventing a waiting page, and the difference would list accounts. The floor
 * must exceed the slowest known-address answer, which includes handing the e-mail over (the
 * router awaits its `CodeIssued` handlers): ample for the dev mailbox; with a slow SMTP relay,
 * raise it or hand mail to a queue.
 */
const ANSWER_FLOOR_MS = 250

/**
 * Links asked per address, counted for every address before it is looked up: the router's own
 * per-user limit counts only addresses with an account, so its 429 alone would tell which have
 * one. Same numbers as the router's `perSubject` default. This process's memory: an app running
 * several processes gives it a shared store (express-rate-limit's `store` option).
 */
const LINKS_PER_ADDRESS = { limit: 5, windowMs: 15 * 60_000 }

/**
 * Asking for a sign-in e-mail (a magic link and a passcode, both bound to this browser), waiting
 * for it, and typing the passcode. The pages live under the landing page's path, which the binding
 * cookie reaches: asking again from this browser keeps its verifier, and the passcode page reads it.
 */
export function magicLinkRoutes({ auth, baseUrl, clientId, serviceToken }: MagicLinkDeps): Router {
  const router = Router()

  router.get('/magic-link', (req, res) => sendPage(req, res, 'E-mail me a magic link', askForm(req)))

  // A reload or a bookmark of the form's target: back to the form, which sends nothing by itself.
  router.get(`${MAGIC_PATH}/send`, (_req, res) => res.redirect(303, '/magic-link'))

  const perAddress = rateLimit({
    ...LINKS_PER_ADDRESS,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => addressOf(req).toLowerCase(),
    handler: async (req, res) => {
      await sleep(ANSWER_FLOOR_MS)
      const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime
      tooManyLinks(req, res, resetTime && Math.ceil((resetTime.getTime() - Date.now()) / 1000))
    },
  })

  router.post(`${MAGIC_PATH}/send`, perAddress, async (req, res) => {
    const answerAt = sleep(ANSWER_FLOOR_MS)
    const email = addressOf(req)
    const user = userByEmail(email)
    // Every browser that asks gets the binding cookie, known address or not: the answer must not tell them apart.
    const challenge = auth.bindBrowser(req, res)
    if (!user) {
      // No account: a waiting page like the real one (a pending value of the same shape, a number,
      // a status that stays pending), so that the form cannot list accounts.
      const decoy = { pending: `${randomBytes(18).toString('base64url')}.${randomBytes(32).toString('base64url')}`, number: twoDigits() }
      req.session.magicLink = { email, tries: 0, decoy }
      await answerAt
      return res.redirect(303, `${WAIT_PATH}?pending=${decoy.pending}`)
    }
    const call = await post(`${baseUrl}${AUTH_MOUNT}/codes`, {
      headers: { authorization: `Bearer ${serviceToken}`, 'idempotency-key': randomUUID() },
      json: { external_user_id: user.id, ttl: 600, code_challenge: challenge, code_challenge_method: 'S256', otp: true },
    })
    await answerAt
    if (call.status === 429) return tooManyLinks(req, res, call.retryAfter)
    const waitUrl = (call.body as { wait_url?: unknown } | null)?.wait_url
    if (call.status !== 201 || typeof waitUrl !== 'string') throw new Error(`POST /codes answered ${call.status} for a magic link`)
    req.session.magicLink = { email, tries: 0 }
    // Post-redirect-get: a reload of the waiting page shows it again and sends nothing.
    res.redirect(303, waitUrl)
  })

  // The waiting page and its status for an address with no account: answered here, before the router's.
  router.get(WAIT_PATH, (req, res, next) => {
    const decoy = decoyOf(req)
    if (!decoy) return next()
    const statusUrl = `${WAIT_PATH}/status?pending=${decoy.pending}`
    const form = { action: WAIT_PATH, fields: { pending: decoy.pending, csrf_token: randomBytes(32).toString('base64url') } }
    sendWaitingPage(req, res, { number: decoy.number, status: 'pending', statusUrl, scriptUrl: `${MAGIC_PATH}/wait.js`, form }, 200)
  })
  router.get(`${WAIT_PATH}/status`, (req, res, next) => {
    if (!decoyOf(req)) return next()
    res.set('Cache-Control', 'no-store').json({ status: 'pending' })
  })

  // A refused code's answer, after its 303; else the form, or, signed in already (Back after signing in), the way on.
  router.get(
    CODE_PATH,
    afterPostPage(CODE_PATH, (req, res) => {
      if (sendIfSignedIn(req, res, 'No code is needed')) return
      sendPage(req, res, 'Type your code', passcodeForm(''))
    }),
  )

  router.post(CODE_PATH, async (req, res) => {
    const email = addressOf(req)
    const user = userByEmail(email)
    try {
      // An unknown address is tried too (as a subject no code has), so that it answers like a wrong code.
      const subject = user?.id ?? `unknown:${email}`
      const grant = await auth.redeemOtp({ clientId, subject, otp: String(req.body?.otp ?? ''), codeVerifier: auth.browserVerifier(req) })
      await signIn(req, grant.subject, 'a passcode')
      delete req.session.magicLink
      res.redirect(303, '/')
    } catch (err) {
      if (!(err instanceof InvalidGrantError)) throw err
      wrongCode(req, res, email)
    }
  })

  return router
}

/** The e-mail address a form posted, as typed but for surrounding spaces. */
function addressOf(req: Request): string {
  return String(req.body?.email ?? '').trim()
}

function twoDigits(): string {
  return String(randomInt(100)).padStart(2, '0')
}

/** The no-account waiting page this browser was sent to, when the request names it. */
function decoyOf(req: Request) {
  const decoy = req.session.magicLink?.decoy
  return decoy && req.query.pending === decoy.pending ? decoy : undefined
}

function askForm(req: Request, notice?: SafeHtml, email = '') {
  return html`${notice}
    <form method="post" action="${MAGIC_PATH}/send" class="stack">
      <label for="email">Your e-mail address</label>
      <input id="email" name="email" type="email" required autocomplete="email" placeholder="ada@example.com" value="${email}" />
      <button>E-mail me a magic link</button>
    </form>
    <p class="muted">
      Demo addresses: ${DEMO_USERS.map((u, i) => html`${i ? ', ' : ''}<code>${u.email}</code>`)}.
      ${devRoutesOn(req) ? html`The e-mail lands in the <a href="/mailbox">dev mailbox</a>.` : ''}
    </p>`
}

/** `POST /codes` refused another link for this user (its `perSubject` limit): say so, and when to ask again. */
function tooManyLinks(req: Request, res: Response, retryAfterSeconds: number | undefined): void {
  const minutes = Math.max(1, Math.ceil((retryAfterSeconds ?? 900) / 60))
  sendPage(
    req,
    res,
    'Too many magic links',
    askForm(
      req,
      html`<div class="notice bad" id="too-many-links">
        No e-mail was sent: that address was sent several magic links in the last 15 minutes, which is the most we send. Use the
        newest one you received, or ask again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.
      </div>`,
      addressOf(req),
    ),
    429,
  )
}

/**
 * A refused passcode. The router answers a wrong, spent or unknown one alike (so that nobody
 * learns whether an account exists); this browser counts its own tries to say how many are left
 * at most (a code cancelled or revoked meanwhile has none, which the app cannot tell).
 */
function wrongCode(req: Request, res: Response, email: string): void {
  const asked = req.session.magicLink
  const tries = asked && asked.email === email ? ++asked.tries : undefined
  const left = tries === undefined ? undefined : PASSCODE_TRIES - tries
  // Post-redirect-get: a reload or Back shows this answer again, and does not try the code again.
  showAfterPost(
    req,
    res,
    CODE_PATH,
    'Type your code',
    html`<div class="notice bad" id="passcode-refused">
        ${
          left === undefined
            ? html`That code is not right, or it has expired. After ${PASSCODE_TRIES} wrong tries it stops working.`
            : left > 0
              ? html`That code is not right, or it no longer works (expired, used, cancelled or revoked). At most ${left} ${left === 1 ? 'try' : 'tries'} left for this code.`
              : html`That code is used up: after ${PASSCODE_TRIES} wrong tries, neither the code nor its magic link works any more.`
        }
        <a href="/magic-link">E-mail me a new magic link</a>.
      </div>
      ${left !== undefined && left <= 0 ? '' : passcodeForm(email)}`,
  )
}
