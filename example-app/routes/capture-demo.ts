import { Router, type Request } from 'express'
import { afterPostPage, showAfterPost } from '../after-post.js'
import { callCapture, type CaptureApi, type SignedCall } from '../capture-client.js'
import { html } from '../html.js'
import { refreshTokenOf } from '../http-call.js'
import { callStep, sendPage } from '../layout.js'
import { SCRIPTED_PAGE_CSP } from '../security-headers.js'
import { DEMO_USERS } from '../users.js'

/** The CRM as an existing Capture integration: its API base URL, credentials and registered redirect URI. */
export interface CaptureDemoDeps {
  api: CaptureApi
  redirectUri: string
}

/** Sends each form once, however often its button is clicked (see `public/submit-once.js`). */
const SUBMIT_ONCE = html`<script src="/static/submit-once.js" defer></script>`

const DEFAULT_STATE = '{"order":"A-1001","step":"checkout"}'
const CAPTURE_BASE_URL = 'https://my-app.janraincapture.com'
/** Where each signed call's page is shown (post-redirect-get): a reload signs and sends nothing again. */
const RESULT_PATH = '/capture-demo/result'

/** One signed call as a step of the demo: what was sent (headers and form), the status and the answer. */
function signedStep(id: string, title: string, call: SignedCall, params: Record<string, string>) {
  const sent = `Date: ${call.signedWith.Date}\nAuthorization: ${call.signedWith.Authorization}\n\n${new URLSearchParams(params).toString()}`
  return callStep(id, title, call, sent)
}

/** A JSON text on one line: a signed parameter cannot hold a newline, and a textarea adds them. */
function oneLine(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text))
  } catch {
    return text
  }
}

/**
 * A Capture integration after migrating: the CRM's client signs every call as Janrain's client
 * libraries do, asks `getAuthorizationCode` for a code for a user, then exchanges it at
 * `/oauth/token` and gets its `transaction_state` back, against a base URL that is now
 * express-authcode's mount URL.
 */
export function captureDemoRoutes({ api, redirectUri }: CaptureDemoDeps): Router {
  const router = Router()
  // The pages run /static/submit-once.js: a double click would make a second signed call, which
  // for a refresh spends the token the first one already spent (reuse: the family is revoked).
  router.use('/capture-demo', (_req, res, next) => {
    res.set('Content-Security-Policy', SCRIPTED_PAGE_CSP)
    next()
  })
  const form = (email: string, state: string) =>
    html` <form method="post" action="/capture-demo" class="stack">
      <label for="email">User (looked up by <code>key_attribute=email</code>)</label>
      <select id="email" name="email">
        ${DEMO_USERS.map((u) => html`<option value="${u.email}" ${u.email === email ? html` selected` : ''}>${u.name} — ${u.email}</option>`)}
      </select>
      <label for="transaction_state">transaction_state (JSON)</label>
      <textarea id="transaction_state" name="transaction_state" rows="3">${state}</textarea>
      <button>Call getAuthorizationCode, then oauth/token</button>
    </form>`

  router.get('/capture-demo', (req, res) => {
    sendPage(
      req,
      res,
      'Capture-style call',
      html` <p>
          The CRM (client <code>${api.clientId}</code>, role <code>access_issuer</code>) is an existing Janrain / Akamai Capture
          integration. Its client signs every call (<code>Authorization: Signature …</code> with a <code>Date</code>), exactly as Janrain's
          client libraries do. Migrating changed one setting, the API base URL:
        </p>
        <p><code>${CAPTURE_BASE_URL}</code> → <code id="capture-base-url">${api.baseUrl}</code></p>
        ${form(DEMO_USERS[0]?.email ?? '', DEFAULT_STATE)} ${SUBMIT_ONCE}`,
    )
  })

  router.post('/capture-demo', async (req, res) => {
    const email = String(req.body?.email ?? '')
    const state = String(req.body?.transaction_state ?? '')
    const issueParams = {
      key_attribute: 'email',
      key_value: email,
      type_name: 'user',
      redirect_uri: redirectUri,
      transaction_state: oneLine(state),
    }
    const issued = await callCapture(api, '/access/getAuthorizationCode', issueParams)
    const code = (issued.body as { authorizationCode?: unknown } | null)?.authorizationCode
    const exchangeParams = typeof code === 'string' ? { grant_type: 'authorization_code', code, redirect_uri: redirectUri } : undefined
    const exchanged = exchangeParams ? await callCapture(api, '/oauth/token', exchangeParams) : undefined
    const returned = (exchanged?.body as { transaction_state?: unknown } | undefined)?.transaction_state
    keepRefreshToken(req, exchanged)
    showAfterPost(
      req,
      res,
      RESULT_PATH,
      'Capture-style call',
      html` <ol class="steps">
          ${signedStep('capture-issue', 'Issue', issued, issueParams)}
          ${exchanged && exchangeParams ? signedStep('capture-exchange', 'Exchange', exchanged, exchangeParams) : ''}
        </ol>
        ${returned !== undefined ? html`<div class="notice ok" id="transaction-state">transaction_state came back: <code>${JSON.stringify(returned)}</code></div>` : ''}
        ${refreshForm(req)}
        <h2>Again</h2>
        ${form(email, state)} ${SUBMIT_ONCE}`,
    )
  })

  // An hour later the CRM's access token expires: it refreshes at the same oauth/token, signed
  // as before, and keeps the successor (each refresh token is good once).
  router.post('/capture-demo/refresh', async (req, res) => {
    const refreshToken = req.session.captureRefreshToken
    const params = refreshToken === undefined ? undefined : { grant_type: 'refresh_token', refresh_token: refreshToken }
    const refreshed = params ? await callCapture(api, '/oauth/token', params) : undefined
    keepRefreshToken(req, refreshed)
    showAfterPost(
      req,
      res,
      RESULT_PATH,
      'Capture-style refresh',
      html` ${
        refreshed && params
          ? html`<ol class="steps">
              ${signedStep('capture-refresh-step', 'Refresh', refreshed, params)}
            </ol>`
          : html`<div class="notice bad">No refresh token held: make the Capture call first.</div>`
      }
        ${refreshForm(req)}
        <p><a class="button secondary" href="/capture-demo">Start again</a></p>
        ${SUBMIT_ONCE}`,
    )
  })

  router.get(RESULT_PATH, afterPostPage(RESULT_PATH, '/capture-demo'))

  return router
}

/** Keeps the refresh token of a successful oauth/token answer in the session; the CRM's server would keep it. */
function keepRefreshToken(req: Request, call: SignedCall | undefined): void {
  const token = refreshTokenOf(call)
  if (token) req.session.captureRefreshToken = token
  else delete req.session.captureRefreshToken
}

/** The refresh button, when a refresh token is held. */
function refreshForm(req: Request) {
  return req.session.captureRefreshToken === undefined
    ? ''
    : html`<form method="post" action="/capture-demo/refresh" class="actions">
        <button id="capture-refresh">Refresh through oauth/token</button>
      </form>`
}
