import { Router, type Request, type RequestHandler, type Response } from 'express'
import { afterPostPage, showAfterPost, shownAt } from '../after-post.js'
import { html, type SafeHtml } from '../html.js'
import { post, refreshTokenOf, type CallResult } from '../http-call.js'
import { callStep, sendPage } from '../layout.js'
import { describeProof, dpopProof } from './dpop.js'
import { parDpopRoutes, type Fail } from './par-dpop.js'
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
  /** The authorization server's `/par` (RFC 9126), for the PAR + DPoP variant. */
  parEndpoint: string
  /** The client's own session middleware: it is a separate app with its own cookie. */
  session: RequestHandler
}

/** The `token_type` of a token endpoint answer: `Bearer`, or `DPoP` for tokens bound to a key. */
const tokenTypeOf = (call: CallResult) => String((call.body as { token_type?: unknown } | null)?.token_type)

/**
 * A public OAuth client running the authorization code flow with PKCE (S256) against the
 * app's `/authorize` and `/token`, as a single-page app's back end or a partner site would; and
 * its variant with the request pushed to `/par` and the code and tokens bound to a DPoP key
 * (see `par-dpop.ts`), which shares the callback.
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

  const startAgain = (start: 'start' | 'start-par') => html`<p><a class="button" href="${basePath}/${start}">Start again</a></p>`
  const tryAgain = startAgain('start')
  const resultPath = `${basePath}/result`
  const showFailure = (req: Request, res: Response, message: SafeHtml) =>
    showAfterPost(
      req,
      res,
      resultPath,
      'Sign-in failed',
      html`<div class="notice bad">${message}</div>
        ${tryAgain}`,
    )
  const fail: Fail = (req: Request, res: Response, message: SafeHtml, details?: SafeHtml) =>
    sendPage(
      req,
      res,
      'Sign-in failed',
      html`<div class="notice bad">${message}</div>
        ${details} ${tryAgain}`,
      400,
    )

  router.get('/', (req, res) =>
    sendPage(
      req,
      res,
      title,
      html` ${description}
        <div class="actions">
          <a class="button" id="${id}-start" href="${basePath}/start">Sign in with express-authcode</a>
          <a class="button secondary" id="${id}-start-par" href="${basePath}/start-par">Sign in with PAR + DPoP</a>
        </div>
        <p class="muted">
          The second button pushes the request to <code>POST /par</code> from this client's server, so the browser carries only a
          <code>request_uri</code>, and binds the code and the tokens to a DPoP key this client keeps for your session: each call to
          <code>/token</code> then carries a proof signed with it.
        </p>`,
    ),
  )

  router.get('/start', (req, res, next) => {
    delete req.session.shownAfterPost
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
    // A callback again once the sign-in finished (Back, then the same steps): its result, not an error.
    if (!pending && shownAt(req, resultPath)) return res.redirect(303, resultPath)
    if (!pending || state !== pending.state) {
      return fail(req, res, html`This answer does not belong to a sign-in started here (state mismatch).`)
    }
    // RFC 9207 §2.4: the answer must come from the authorization server the request went to.
    if (iss !== issuer) {
      return showFailure(req, res, html`The answer came from an unexpected issuer.`)
    }
    if (typeof error === 'string') {
      return showFailure(req, res, html`The authorization server said <code>${error}</code>: ${description}`)
    }
    const { dpopKey, pushed } = pending
    const proof = dpopKey && (await dpopProof(dpopKey, tokenEndpoint))
    const exchange = await post(tokenEndpoint, {
      form: {
        grant_type: 'authorization_code',
        code: String(code),
        redirect_uri: redirectUri,
        client_id: clientId,
        code_verifier: pending.codeVerifier,
      },
      ...(proof ? { headers: { DPoP: proof } } : {}),
    })
    const ok = exchange.status === 200
    const refreshToken = refreshTokenOf(exchange)
    req.session.demoTokens = refreshToken ? { refreshToken, ...(dpopKey ? { dpopKey } : {}) } : undefined
    showAfterPost(
      req,
      res,
      resultPath,
      ok ? 'Token response' : 'Token request failed',
      html` <div class="notice ${ok ? 'ok' : 'bad'}">
          ${
            ok
              ? html`The code was redeemed once for tokens of type <code id="${id}-token-type">${tokenTypeOf(exchange)}</code>.`
              : 'The token endpoint refused the code.'
          }
        </div>
        <ol class="steps">
          ${
            pushed
              ? html`${callStep('par-response', 'Pushed the request, with dpop_jkt', pushed)}
                  <li>Redirected to <code>/authorize</code> with only <code>client_id</code> and <code>request_uri</code>.</li>`
              : html`<li>
                  Redirected to <code>/authorize</code> with <code>code_challenge_method=S256</code>, state and scope <code>${scope}</code>.
                </li>`
          }
          <li>Came back with a code, the same <code>state</code> and <code>iss=${issuer}</code>.</li>
          ${callStep('token-response', proof ? 'Exchange, with a DPoP proof' : 'Exchange', exchange, proof && describeProof(proof))}
        </ol>
        ${
          refreshToken
            ? html`<p>The answer carries a refresh token: trade it for fresh tokens without sending the user back.</p>
              ${refreshButtons(settings, false)}`
            : ''
        }
        ${startAgain(pushed ? 'start-par' : 'start')}`,
    )
  })

  // The callback's result, or a refresh's, shown after a 303 (post-redirect-get): a reload or
  // Back shows it again instead of redeeming a spent code with a forgotten state, or spending a
  // refresh token again.
  router.get('/result', afterPostPage(resultPath, basePath))

  parDpopRoutes(router, settings, fail)
  refreshRoutes(router, settings)
  return router
}
