import type { Router } from 'express'
import { createLimit, ipKey } from '../../http/rate-limit.js'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { authorize } from './authorize.js'
import { authorizeHeaders, refuseHead } from './headers.js'

/** `GET /authorize`: its security headers first (errors get them too), no `HEAD`, the per-IP limit, then the flow. */
export function mountAuthorize(router: Router, ctx: AuthcodeContext): void {
  const { store, rateLimit, logger, renderErrorPage } = ctx.options
  const perIp = createLimit(store, rateLimit.perIp, 'authorize', 'perIp', ipKey)
  addRoute(router, { method: 'get', path: '/authorize', errors: 'authorize', logger, renderErrorPage }, [
    authorizeHeaders,
    refuseHead,
    perIp?.layer,
    authorize(ctx),
  ])
}
