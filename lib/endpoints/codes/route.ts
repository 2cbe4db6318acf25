import type { Router } from 'express'
import { authcodeErrorOf } from '../../errors/authcode-error.js'
import { jsonBody } from '../../http/json-body.js'
import { renderProblem } from '../../http/render/problem.js'
import { addRoute } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import type { WaitUrls } from './answer.js'
import { bearerAuth, countsOnArrival } from './authenticate.js'
import { readCodesBody } from './body.js'
import { claimKeyAndCount, heldKey } from './claim-key.js'
import { issueMagicLinkCode } from './issue.js'
import { codesLimits } from './limits.js'
import { failedAuthGuardEarly } from '../guards.js'

/**
 * `POST /codes`: a magic-link code for `external_user_id`, for an authenticated back-end
 * service. Route layers: authenticate the bearer token (in memory, then count a failure against
 * the failed-authentication limit or only check the count for a success; a host's own verifier
 * runs once the attempt, counted as the request arrived, is under the limit, and a success takes
 * it back) → read and validate the JSON body → claim the
 * Idempotency-Key and count the per-client and per-user limits, sent together → issue (a bound
 * code's answer carries `wait_url` too once `waits` is on: `magicLinkLanding({ crossDevice })`). With a
 * static or JWT token that is 2 Redis round trips: the count, claim and limits, then the save.
 * Every answer waits for the failed-authentication count, whose 429 outranks it. A request that
 * fails after the claim frees its key, so a retry can succeed, and takes back its hits unless the
 * store may have saved its code (a store failure): what counts never depends on the response
 * being written.
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 */
export function mountCodes(router: Router, ctx: AuthcodeContext, waits?: WaitUrls): void {
  const { store } = ctx.engine
  const limits = codesLimits(ctx)
  const attempt = failedAuthGuardEarly(ctx, 'codes')
  addRoute(
    router,
    { method: 'post', path: '/codes', errors: renderProblem },
    [
      countsOnArrival(ctx.options) ? attempt.count : undefined,
      bearerAuth(ctx.options, 'codes:issue', attempt),
      attempt.forgive,
      jsonBody,
      readCodesBody(ctx.options),
      claimKeyAndCount(ctx, limits, attempt, waits),
      issueMagicLinkCode(ctx, waits),
    ],
    async (err, req, res) => {
      const refusal = await attempt.verdict(res).then(
        () => undefined,
        (refused: unknown) => refused,
      )
      const held = heldKey.find(res)
      // A store failure keeps its hits: the store may have saved the code.
      const unavailable = authcodeErrorOf(err)?.failure === 'unavailable'
      const undone = Promise.all([
        held && store.releaseIdempotencyKey(held.key.id, held.owner).catch(() => undefined),
        ...(unavailable ? [] : limits.map((limit) => limit.giveBack(req).catch(() => undefined))),
      ])
      // Waited for, so that a retry finds the key free and the counts back; not for the
      // failed-authentication 429, which then takes one round trip whatever the credential, nor
      // after a store failure, whose commands may hang (the release follows the claim on the
      // connection and frees the key once the store answers again).
      if (refusal === undefined && !unavailable) await undone
      return refusal
    },
  )
}
