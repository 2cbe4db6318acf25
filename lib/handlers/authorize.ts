import type { Request, RequestHandler } from 'express'
import type { AuthcodeContext } from '../context.js'
import { validateRequest, verifyRedirect } from '../core/authorization-request.js'
import { currentUser } from '../core/current-user.js'
import { issueCode } from '../core/issue-code.js'
import { LoginRequiredError } from '../errors/errors.js'
import { redirectErrorsTo } from '../errors/render-authorize.js'
import { parseParams } from '../helpers/params.js'
import { appendQuery } from '../helpers/redirect-uri.js'
import type { ResolvedOptions } from '../options.js'
import { sendRedirect } from './send-redirect.js'

/** Seconds a code from `/authorize` lives: enough for one redirect and one token request. */
export const AUTHORIZE_CODE_TTL_SECONDS = 60

/** `/authorize` is mounted (and advertised in the metadata) when the router can tell who is signed in or where to sign in. */
export function hasAuthorizeEndpoint(options: Pick<ResolvedOptions, 'loginUrl' | 'getUser'>): boolean {
  return options.loginUrl !== undefined || options.getUser !== undefined
}

/**
 * Headers of every `/authorize` answer, errors included: not cached, no `Referer` carrying
 * the request onwards, never framed; and no CORS, whatever the host app mounted before.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.16
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.2.4
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.6
 */
export const authorizeHeaders: RequestHandler = function authorizeHeaders(_req, res, next) {
  for (const name of ['Access-Control-Allow-Origin', 'Access-Control-Allow-Credentials', 'Access-Control-Expose-Headers'])
    res.removeHeader(name)
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
  next()
}

/**
 * `GET /authorize`: the authorization code flow with PKCE (S256) for the user signed in to
 * the host app. An unknown client or redirect URI is answered here (400); other faults are
 * redirected to the client. Nobody signed in sends the browser to `loginUrl` with `return_to`
 * (with `prompt=none`, or without a `loginUrl`, the client gets `login_required`). Otherwise
 * a code bound to the client, redirect URI, scope, user and challenge goes to the client with
 * `state` and `iss`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2
 */
export function authorizeHandler(ctx: AuthcodeContext): RequestHandler {
  const { clients, issuer, loginUrl } = ctx.options
  return async function authorize(req, res) {
    const parsed = parseParams(rawQuery(req.originalUrl))
    const verified = verifyRedirect(clients, parsed)
    // A state given twice is not echoed: neither copy can be trusted to be the client's.
    const state = parsed.repeated.includes('state') ? undefined : parsed.params.state
    redirectErrorsTo(res, { redirectUri: verified.redirectUri, state, iss: issuer })
    const request = validateRequest(verified, parsed)
    const subject = await currentUser(ctx.options, req)
    if (subject === undefined) {
      if (request.promptNone || loginUrl === undefined) throw new LoginRequiredError()
      sendRedirect(res, appendQuery(loginUrl, { return_to: returnTo(req) }))
      return
    }
    const { code } = await issueCode(ctx, {
      kind: 'authorize',
      subject,
      clientId: request.client.id,
      ttlSeconds: AUTHORIZE_CODE_TTL_SECONDS,
      scope: request.scope,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
    })
    sendRedirect(res, appendQuery(request.redirectUri, { code, state: request.state, iss: issuer }))
  }
}

/** The query string of a request URL, as sent (Express's parsed `req.query` could merge repeats or build objects). */
function rawQuery(url: string): string {
  const start = url.indexOf('?')
  return start < 0 ? '' : url.slice(start + 1)
}

/** This request's URL relative to the host, never protocol-relative, for the login page to send the browser back to. */
function returnTo(req: Request): string {
  return `/${req.originalUrl.replace(/^[/\\]+/, '')}`
}
