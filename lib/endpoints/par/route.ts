import type { Router } from 'express'
import { readFormBody } from '../../http/form-body.js'
import { renderOAuth } from '../../http/render/oauth.js'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { readDpopProof } from '../dpop/layer.js'
import { clientAuthLimits } from '../guards.js'
import { authenticateTokenClient, presentsSecret } from '../token/authenticate-client.js'
import { pushAuthorizationRequest } from './par.js'

/**
 * `POST /par` (RFC 9126), mounted with `/authorize`: the per-IP limit of `/authorize` (a pushed
 * request is one authorization request), the form body (`resource` may repeat), client
 * authentication as at `/token` under its failed-authentication budget (counted with the per-IP
 * limit in one round trip), a DPoP proof if one is
 * sent, then the request is checked as `/authorize` checks it and kept; errors as RFC 6749 §5.2
 * JSON, never a redirect.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2
 */
export function mountPar(router: Router, ctx: AuthcodeContext): void {
  const limits = clientAuthLimits(ctx, { perIp: 'authorize', failedAuth: 'token' }, presentsSecret)
  addRoute(
    router,
    { method: 'post', path: '/par', errors: renderOAuth },
    [
      ...limits.around([readFormBody(['resource'])], authenticateTokenClient(ctx.clients)),
      readDpopProof(ctx, '/par'),
      pushAuthorizationRequest(ctx),
    ],
    limits.undo,
  )
}
