import type { Router } from 'express'
import { authcodeErrorOf } from '../../errors/authcode-error.js'
import { jsonBody } from '../../http/json-body.js'
import { renderProblem } from '../../http/render/problem.js'
import { countTogether } from '../../http/rate-limit.js'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { bearerAuth } from './authenticate.js'
import { readCodesBody } from './body.js'
import { claimKey, heldKey } from './claim-key.js'
import { issueMagicLinkCode } from './issue.js'
import { codesLimits } from './limits.js'
import { failedAuthGuard } from '../guards.js'

/**
 * `POST /codes`: a magic-link code for `external_user_id`, for an authenticated back-end
 * service. Route layers: count the attempt against the failed-authentication limit →
 * authenticate the bearer token (a success takes the attempt back) → read and validate the JSON body (before
 * any store round trip) → claim the Idempotency-Key (a finished key replays its answer here) →
 * count the limits (all at once) → issue. A request that fails after the claim frees its key, so a retry can
 * succeed, and takes back its hits unless the store may have saved its code (a store failure):
 * what counts never depends on the response being written.
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 */
export function mountCodes(router: Router, ctx: AuthcodeContext): void {
  const { store } = ctx.engine
  const limits = codesLimits(ctx)
  const guard = failedAuthGuard(ctx, 'codes')
  addRoute(
    router,
    { method: 'post', path: '/codes', errors: renderProblem },
    [
      guard.count,
      bearerAuth(ctx.options, 'codes:issue'),
      guard.forgive,
      jsonBody,
      readCodesBody(ctx.options),
      claimKey(ctx),
      countTogether(limits),
      issueMagicLinkCode(ctx),
    ],
    async (err, req, res) => {
      const held = heldKey.find(res)
      if (!held) return
      await store.releaseIdempotencyKey(held.key.id, held.owner).catch(() => undefined)
      if (authcodeErrorOf(err)?.failure !== 'unavailable')
        await Promise.all(limits.map((limit) => limit.giveBack(req).catch(() => undefined)))
    },
  )
}
