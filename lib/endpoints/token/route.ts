import type { Router } from 'express'
import { formBody } from '../../http/form-body.js'
import { renderOAuth } from '../../http/render/oauth.js'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { grantTypes } from '../../options/mount-policy.js'
import { readDpopProof } from '../dpop/layer.js'
import { failedAuthGuard, perIpLimit } from '../guards.js'
import { authenticateTokenClient, presentsSecret } from './authenticate-client.js'
import { exchangeCode, requireGrantType } from './exchange.js'
import { refreshTokenGrant } from './refresh.js'
import type { IssueTokens } from './tokens.js'

/**
 * `POST /token`: the per-IP limit, the form body, the grant type, client authentication (a
 * secret presented counts against the failed-authentication limit first), the DPoP proof if one
 * is sent (checked in memory; its `jti` is claimed beside the code's consumption or the refresh
 * token's read, so a proof adds no round trip), then a refresh token's rotation (with
 * `refreshTokens` on) or the code exchange; errors as RFC 6749 §5.2 JSON.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 */
export function mountToken(router: Router, ctx: AuthcodeContext, issueTokens: IssueTokens): void {
  const guard = failedAuthGuard(ctx, 'token', presentsSecret)
  addRoute(router, { method: 'post', path: '/token', errors: renderOAuth }, [
    perIpLimit(ctx, 'token')?.layer,
    formBody,
    requireGrantType(grantTypes(ctx.options)),
    guard.count,
    authenticateTokenClient(ctx.clients),
    guard.forgive,
    readDpopProof(ctx, '/token'),
    ctx.options.refreshTokens ? refreshTokenGrant(ctx, issueTokens) : undefined,
    exchangeCode(ctx, issueTokens),
  ])
}
