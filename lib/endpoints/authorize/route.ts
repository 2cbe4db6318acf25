import type { Router } from 'express'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { perIpLimit } from '../guards.js'
import { authorize } from './authorize.js'
import { authorizeHeaders, refuseHead } from './headers.js'

/** `GET /authorize`: its security headers first (errors get them too), no `HEAD`, the per-IP limit, then the flow. */
export function mountAuthorize(router: Router, ctx: AuthcodeContext): void {
  const { logger, renderErrorPage } = ctx.options
  addRoute(router, { method: 'get', path: '/authorize', errors: 'authorize', logger, renderErrorPage }, [
    authorizeHeaders,
    refuseHead,
    perIpLimit(ctx, 'authorize')?.layer,
    authorize(ctx),
  ])
}
