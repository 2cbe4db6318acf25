import type { Router } from 'express'
import type { Grant } from '../../../types/grant.js'
import type { TokenResponse } from '../../../types/options.js'
import { formBody } from '../../http/form-body.js'
import { renderOAuth } from '../../http/render/oauth.js'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { failedAuthGuard, perIpLimit } from '../guards.js'
import { authenticateTokenClient, presentsSecret } from './authenticate-client.js'
import { exchangeCode, requireCodeGrant } from './exchange.js'

/**
 * `POST /token`: the per-IP limit, the form body, the grant type, client authentication (a
 * secret presented counts against the failed-authentication limit first), then the exchange;
 * errors as RFC 6749 §5.2 JSON.
 */
export function mountToken(
  router: Router,
  ctx: AuthcodeContext,
  issueTokens: (grant: Grant) => Promise<TokenResponse> | TokenResponse,
): void {
  const guard = failedAuthGuard(ctx, 'token', presentsSecret)
  addRoute(router, { method: 'post', path: '/token', errors: renderOAuth }, [
    perIpLimit(ctx, 'token')?.layer,
    formBody,
    requireCodeGrant,
    guard.count,
    authenticateTokenClient(ctx.options.clients),
    guard.forgive,
    exchangeCode(ctx, issueTokens),
  ])
}
