import { Router, type Request, type RequestHandler, type Response } from 'express'
import { html, type SafeHtml } from '../html.js'
import { post, refreshTokenOf } from '../http-call.js'
import { callStep, sendPage } from '../layout.js'
import { newPkcePair, newState } from './pkce.js'
import { refreshButtons, refreshRoutes } from './refresh.js'

/** What the demo client knows: its registration and the authorization server's metadata. */
export interface DemoClientSettings {
  /** Where the client is mounted, e.g. `/demo-client`. */
  basePath: string
  /** How the client introduces itself on its page. */
  title: string
  description: SafeHtml
  clientId: string
  redirectUri: string
  scope: string
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  /** The client's own session middleware: it is a separate app with its own cookie. */
  session: RequestHandler
}

/**
 * A public OAuth client running the authorization code flow with PKCE (S256) against the
 * app's `/authorize` and `/token`, as a single-page app's back end or a partner site would.
 */
export function demoClientRouter(settings: DemoClientSettings): Router {
  const { basePath, title, description, clientId, redirectUri, scope, issuer, authorizationEndpoint, tokenEndpoint } = settings
  const id = basePath.slice(1)
  const router = Router()
  router.use(settings.session)
  router.use((_req, res, next) => {
    res.locals.otherApp = true
    next()
  })

  const tryAgain = html`<p><a class="button" href="${basePath}/start">Start again</a></p>`
  const fail = (req: Request, res: Response, message: SafeHtml) =>
    sendPage(
      req,
      res,
      'Sign-in failed',
      html`<div class="notice bad">${message}</div>
        ${tryAgain}`,
      400,
    )

  router.get('/', (req, res) =>
    sendPage(
      req,
      res,
      title,
      html` ${description}
        <p><a class="button" id="${id}-start" href="${basePath}/start">Sign in with express-authcode</a></p>`,
    ),
  )

  router.get('/start', (req, res, next) => {
    const { codeVerifier, codeChallenge } = newPkcePair()
    const state = newState()
    req.session.pendingAuthorization = { state, codeVerifier }
    const url = new URL(authorizationEndpoint)
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      scope,
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    }).toString()
    req.session.save((err) => (err ? next(err) : res.redirect(303, url.toString())))
  })

  router.get('/callback', async (req, res) => {
    const pending = req.session.pendingAuthorization
    delete req.session.pendingAuthorization
    const { code, state, iss, error, error_description: description } = req.query
    if (!pending || state !== pending.state) {
      return fail(req, res, html`This answer does not belong to a sign-in started here (state mismatch).`)
    }
    // RFC 9207 §2.4: the answer must come from the authorization server the request went to.
    if (iss !== issuer) {
      return fail(req, res, html`The answer came from an unexpected issuer.`)
    }
    if (typeof error === 'string') {
      return fail(req, res, html`The authorization server said <code>${error}</code>: ${description}`)
    }
    const exchange = await post(tokenEndpoint, {
      form: {
        grant_type: 'authorization_code',
        code: String(code),
        redirect_uri: redirectUri,
        client_id: clientId,
        code_verifier: pending.codeVerifier,
      },
    })
    const ok = exchange.status === 200
    const refreshToken = refreshTokenOf(exchange)
    req.session.demoTokens = refreshToken ? { refreshToken } : undefined
    sendPage(
      req,
      res,
      ok ? 'Token response' : 'Token request failed',
      html` <div class="notice ${ok ? 'ok' : 'bad'}">
          ${ok ? 'The code was redeemed once for tokens.' : 'The token endpoint refused the code.'}
        </div>
        <ol class="steps">
          <li>
            Redirected to <code>/authorize</code> with <code>code_challenge_method=S256</code>, state and scope <code>${scope}</code>.
          </li>
          <li>Came back with a code, the same <code>state</code> and <code>iss=${issuer}</code>.</li>
          ${callStep('token-response', 'Exchange', exchange)}
        </ol>
        ${
          refreshToken
            ? html`<p>The answer carries a refresh token: trade it for fresh tokens without sending the user back.</p>
              ${refreshButtons(settings, false)}`
            : ''
        }
        ${tryAgain}`,
      ok ? 200 : 400,
    )
  })

  refreshRoutes(router, settings)
  return router
}
