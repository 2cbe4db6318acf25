import type { Request, Response, Router } from 'express'
import { html, type SafeHtml } from '../html.js'
import { post } from '../http-call.js'
import { callStep } from '../layout.js'
import { dpopThumbprint, newDpopKey } from './dpop.js'
import { newPkcePair, newState } from './pkce.js'

/** What the PAR + DPoP variant needs of the demo client's settings. */
export interface ParDpopSettings {
  clientId: string
  redirectUri: string
  scope: string
  authorizationEndpoint: string
  /** The authorization server's `pushed_authorization_request_endpoint`. */
  parEndpoint: string
}

/** How the demo client shows a sign-in that cannot go on: a message, and what the server answered. */
export type Fail = (req: Request, res: Response, message: SafeHtml, details?: SafeHtml) => void

/**
 * `GET /start-par`: the PKCE flow with the authorization request pushed from the client's server
 * (RFC 9126) and the code bound to a DPoP key (RFC 9449): a fresh P-256 key pair is kept in the
 * client's session, the request goes to `/par` with `dpop_jkt` (the key's thumbprint), and the
 * browser is sent to `/authorize` with only `client_id` and the `request_uri` it got back. The
 * callback then proves possession of the key at `/token`, and the tokens are bound to it.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-10
 */
export function parDpopRoutes(router: Router, settings: ParDpopSettings, fail: Fail): void {
  const { clientId, redirectUri, scope, authorizationEndpoint, parEndpoint } = settings

  router.get('/start-par', async (req, res, next) => {
    delete req.session.shownAfterPost
    try {
      const { codeVerifier, codeChallenge } = newPkcePair()
      const state = newState()
      const dpopKey = await newDpopKey()
      const pushed = await post(parEndpoint, {
        form: {
          client_id: clientId,
          response_type: 'code',
          redirect_uri: redirectUri,
          scope,
          state,
          code_challenge: codeChallenge,
          code_challenge_method: 'S256',
          dpop_jkt: await dpopThumbprint(dpopKey),
        },
      })
      const requestUri = (pushed.body as { request_uri?: unknown } | null)?.request_uri
      if (pushed.status !== 201 || typeof requestUri !== 'string') {
        return fail(
          req,
          res,
          html`The authorization server refused the pushed request.`,
          html`<ol class="steps">${callStep('par-response', 'Push', pushed)}</ol>`,
        )
      }
      req.session.pendingAuthorization = { state, codeVerifier, dpopKey, pushed }
      const url = new URL(authorizationEndpoint)
      url.search = new URLSearchParams({ client_id: clientId, request_uri: requestUri }).toString()
      req.session.save((err) => (err ? next(err) : res.redirect(303, url.toString())))
    } catch (err) {
      next(err)
    }
  })
}
