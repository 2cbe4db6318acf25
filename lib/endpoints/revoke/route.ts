import type { Router } from 'express'
import { formBody } from '../../http/form-body.js'
import { renderOAuth } from '../../http/render/oauth.js'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { clientAuthLimits } from '../guards.js'
import { authenticateTokenClient, presentsSecret } from '../token/authenticate-client.js'
import { revokeToken } from './revoke.js'

/**
 * `POST /revoke` (RFC 7009), mounted with `refreshTokens`: the per-IP limit and the
 * failed-authentication limit of `/token` (one budget for both: guesses at one count at the
 * other; counted together in one round trip), the form body, client authentication as at `/token` (`client_secret_basic`,
 * `client_secret_post`, or a public client's `client_id`), then the revocation; errors as RFC
 * 6749 §5.2 JSON.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2.1
 */
export function mountRevoke(router: Router, ctx: AuthcodeContext): void {
  const limits = clientAuthLimits(ctx, { perIp: 'token', failedAuth: 'token' }, presentsSecret)
  addRoute(
    router,
    { method: 'post', path: '/revoke', errors: renderOAuth },
    [...limits.around([formBody], authenticateTokenClient(ctx.clients)), revokeToken(ctx)],
    limits.undo,
  )
}
