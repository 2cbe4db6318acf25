import type { RequestHandler, Router } from 'express'
import { safeEqual } from '../../engine/timing-safe.js'
import { OAuthError } from '../../errors/oauth.js'
import { BEARER } from '../../http/bearer-token.js'
import { jsonBody } from '../../http/json-body.js'
import { renderOAuth } from '../../http/render/oauth.js'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import type { ResolvedRegistration } from '../../options/resolve.js'
import { failedAuthGuard, perIpLimit } from '../guards.js'
import { registerClient } from './register.js'

/**
 * `POST /register` (RFC 7591), mounted with `dynamicRegistration`: the per-IP registration limit
 * (without an initial access token anyone may write to the store, so it is counted before
 * anything else), then, with `initialAccessToken`, that token as `Authorization: Bearer` (each
 * wrong one counted against the failed-authentication limit), the JSON body, the registration.
 * Errors as RFC 7591 §3.2.2 JSON.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function mountRegister(router: Router, ctx: AuthcodeContext, registration: ResolvedRegistration): void {
  const limit = perIpLimit(ctx, 'register', registration.perIp)
  const expected = registration.initialAccessToken
  const guard = failedAuthGuard(ctx, 'register')
  const requireInitialAccessToken: RequestHandler = function requireInitialAccessToken(req, _res, next) {
    const presented = BEARER.exec(req.headers.authorization ?? '')?.[1]
    if (!safeEqual(presented ?? '', expected ?? '')) {
      const challenge = `Bearer realm="${ctx.options.issuer}"${presented === undefined ? '' : ', error="invalid_token"'}`
      throw new OAuthError('invalid_token', 'Registration needs the initial access token.', 401, { 'WWW-Authenticate': challenge })
    }
    next()
  }
  addRoute(router, { method: 'post', path: '/register', errors: renderOAuth }, [
    limit?.layer,
    ...(expected === undefined ? [] : [guard.count, requireInitialAccessToken, guard.forgive]),
    jsonBody,
    registerClient(ctx, registration),
  ])
}
