import type { Router } from 'express'
import type { FindUserQuery } from '../../../types/options.js'
import { formBody } from '../../http/form-body.js'
import { createLimit } from '../../http/rate-limit.js'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { grantTypes } from '../../options/mount-policy.js'
import { clientAuthLimits, failedAuthGuard } from '../guards.js'
import type { IssueTokens } from '../token/tokens.js'
import { authenticateCaptureClient, captureClient, requireIssuingRole } from './authenticate.js'
import { renderCapture, renderCaptureOAuth } from './errors.js'
import { exchangeCaptureCode, refreshCaptureToken, requireCaptureGrant } from './exchange.js'
import { getAuthorizationCode } from './issue.js'
import { captureQuery } from './query.js'

/**
 * `POST` and `GET /access/getAuthorizationCode`: the parameters (form body, or query), the
 * failed-authentication count, client authentication and its role, the per-client limit (one count for both
 * methods), then issuance; errors in the Capture envelope.
 */
export function mountCapture(
  router: Router,
  ctx: AuthcodeContext,
  findUser: (query: FindUserQuery) => Promise<string | null> | string | null,
): void {
  const perClient = createLimit(
    ctx.engine.store,
    ctx.options.rateLimit.perClient,
    'capture',
    'perClient',
    (_req, res) => captureClient.get(res).id,
  )
  const guard = failedAuthGuard(ctx, 'capture')
  const authenticate = authenticateCaptureClient(ctx)
  const issue = getAuthorizationCode(ctx, findUser)
  const path = '/access/getAuthorizationCode'
  for (const [method, readParams] of [
    ['post', formBody],
    ['get', captureQuery],
  ] as const) {
    addRoute(router, { method, path, errors: renderCapture }, [
      readParams,
      guard.count,
      authenticate,
      // Before the attempt is forgiven: a client without the role does not count as authenticated.
      requireIssuingRole,
      guard.forgive,
      perClient?.layer,
      issue,
    ])
  }
}

/**
 * `POST /oauth/token`, Capture's exchange: the per-IP count started, the form body, the grant
 * type, the failed-authentication count (waited for with the per-IP count: one round trip),
 * client authentication, then a refresh
 * token's rotation (with `refreshTokens` on) or the code exchange; errors in the Capture envelope
 * with OAuth error names.
 */
export function mountCaptureToken(router: Router, ctx: AuthcodeContext, issueTokens: IssueTokens): void {
  const limits = clientAuthLimits(ctx, { perIp: 'capture-token', failedAuth: 'capture-token' })
  addRoute(
    router,
    { method: 'post', path: '/oauth/token', errors: renderCaptureOAuth },
    [
      ...limits.around([formBody, requireCaptureGrant(grantTypes(ctx.options))], authenticateCaptureClient(ctx)),
      ctx.options.refreshTokens ? refreshCaptureToken(ctx, issueTokens) : undefined,
      exchangeCaptureCode(ctx, issueTokens),
    ],
    limits.undo,
  )
}
