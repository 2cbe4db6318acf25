import type { Router } from 'express'
import type { FindUserQuery } from '../../../types/options.js'
import { formBody } from '../../http/form-body.js'
import { createLimit } from '../../http/rate-limit.js'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { authenticateCaptureClient, captureClient } from './authenticate.js'
import { getAuthorizationCode } from './issue.js'
import { failedAuthGuard } from '../guards.js'

/** `POST /access/getAuthorizationCode`: the form body, client authentication, the per-client limit, then issuance; errors in the Capture envelope. */
export function mountCapture(
  router: Router,
  ctx: AuthcodeContext,
  findUser: (query: FindUserQuery) => Promise<string | null> | string | null,
): void {
  const perClient = createLimit(
    ctx.options.store,
    ctx.options.rateLimit.perClient,
    'capture',
    'perClient',
    (_req, res) => captureClient.get(res).id,
  )
  const guard = failedAuthGuard(ctx, 'capture')
  addRoute(router, { method: 'post', path: '/access/getAuthorizationCode', errors: 'capture', logger: ctx.options.logger }, [
    formBody,
    guard.count,
    authenticateCaptureClient(ctx),
    guard.forgive,
    perClient?.layer,
    getAuthorizationCode(ctx, findUser),
  ])
}
