import type { Router } from 'express'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { perIpLimit } from '../guards.js'
import { authorize } from './authorize.js'
import { authorizeErrors } from './errors.js'
import { authorizeHeaders, refuseHead } from './headers.js'

/** `GET /authorize`: its security headers first (errors get them too), no `HEAD`, the per-IP limit, then the flow. */
export function mountAuthorize(router: Router, ctx: AuthcodeContext): void {
  const errors = authorizeErrors(ctx.options.renderErrorPage, ctx.logger)
  addRoute(router, { method: 'get', path: '/authorize', errors }, [
    authorizeHeaders,
    refuseHead,
    perIpLimit(ctx, 'authorize')?.layer,
    authorize(ctx),
  ])
}
