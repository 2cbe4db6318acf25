import type { Router } from 'express'
import { formBody } from '../../http/form-body.js'
import { renderOAuth } from '../../http/render/oauth.js'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { grantTypes } from '../../options/mount-policy.js'
import { readDpopProof } from '../dpop/layer.js'
import { clientAuthLimits } from '../guards.js'
import { authenticateTokenClient, presentsSecret } from './authenticate-client.js'
import { exchangeCode, requireGrantType } from './exchange.js'
import { refreshTokenGrant } from './refresh.js'
import type { IssueTokens } from './tokens.js'

/**
 * `POST /token`: the per-IP count started, the form body, the grant type, the
 * failed-authentication count of a request that presents a secret (waited for with the per-IP
 * count: one round trip), client authentication, the DPoP proof if one is sent (checked in
 * memory; its `jti` is claimed beside the code's consumption or the refresh token's read, so a
 * proof adds no round trip), then a refresh token's rotation (with `refreshTokens` on) or the
 * code exchange; errors as RFC 6749 §5.2 JSON.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 */
export function mountToken(router: Router, ctx: AuthcodeContext, issueTokens: IssueTokens): void {
  const limits = clientAuthLimits(ctx, { perIp: 'token', failedAuth: 'token' }, presentsSecret)
  addRoute(
    router,
    { method: 'post', path: '/token', errors: renderOAuth },
    [
      ...limits.around([formBody, requireGrantType(grantTypes(ctx.options))], authenticateTokenClient(ctx.clients)),
      readDpopProof(ctx, '/token'),
      ctx.options.refreshTokens ? refreshTokenGrant(ctx, issueTokens) : undefined,
      exchangeCode(ctx, issueTokens),
    ],
    limits.undo,
  )
}
