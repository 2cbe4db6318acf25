import type { Router } from 'express'
import type { Grant } from '../../../types/grant.js'
import type { TokenResponse } from '../../../types/options.js'
import { formBody } from '../../http/form-body.js'
import { createLimit, ipKey } from '../../http/rate-limit.js'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { exchangeCode } from './exchange.js'

/** `POST /token`: the per-IP limit, the form body, then the exchange; errors as RFC 6749 §5.2 JSON. */
export function mountToken(
  router: Router,
  ctx: AuthcodeContext,
  issueTokens: (grant: Grant) => Promise<TokenResponse> | TokenResponse,
): void {
  const perIp = createLimit(ctx.options.store, ctx.options.rateLimit.perIp, 'token', 'perIp', ipKey)
  addRoute(router, { method: 'post', path: '/token', errors: 'oauth', logger: ctx.options.logger }, [
    perIp?.layer,
    formBody,
    exchangeCode(ctx, issueTokens),
  ])
}
