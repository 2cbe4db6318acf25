import { randomUUID } from 'node:crypto'
import type { RequestHandler } from 'express'
import { claimIdempotencyKey, IdempotencyKey } from '../../engine/idempotency.js'
import { authcodeErrorOf } from '../../errors/authcode-error.js'
import { requestLocal } from '../../http/locals.js'
import type { EarlyAuthenticationGuard } from '../../http/early-limits.js'
import { countAll, type Limit } from '../../http/rate-limit.js'
import { sendJson } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { codesAnswer, type WaitUrls } from './answer.js'
import { caller } from './authenticate.js'
import { codesBody } from './body.js'

/** An Idempotency-Key this request holds until it saves its answer or gives the key up. */
export interface HeldKey {
  key: IdempotencyKey
  /** The token the store knows the holder by. */
  owner: string
}

/** The key this request claimed, set by {@link claimKeyAndCount}. */
export const heldKey = requestLocal<HeldKey>('the claimed Idempotency-Key')

/**
 * Reads the `Idempotency-Key`, claims it in one atomic store step and counts `limits`, all sent
 * together (one round trip, beside the failed-authentication count already on its way), then
 * decides in this order: over the failed-authentication limit, 429 whatever else; a finished key
 * answers its stored status and body again, with `Idempotent-Replayed: true`, even at the limits;
 * one used with another body is 422, one whose request still runs 409; then the limits. A request
 * that issues nothing gives its counts back: a replay here before it answers, a refused one in
 * the route's undo, so only new codes count.
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 */
export function claimKeyAndCount(
  ctx: AuthcodeContext,
  limits: readonly Limit[],
  attempt: EarlyAuthenticationGuard,
  waits: WaitUrls | undefined,
): RequestHandler {
  const { magicLinkUrl } = ctx.options
  const { store } = ctx.engine
  return async function claimAndCount(req, res, next) {
    const key = IdempotencyKey.fromHeader(ctx.engine.atRest, caller.get(res).clientId, req.get('Idempotency-Key'))
    const body = codesBody.get(res)
    const held: HeldKey = { key, owner: randomUUID() }
    const claiming = claimIdempotencyKey(store, key, key.fingerprint(body), held.owner).then(
      (outcome) => ({ outcome }),
      (error: unknown) => ({ error }),
    )
    const [claim, refusal] = await Promise.all([claiming, countAll(limits, req, res)])
    // A claim lost to a store failure may still run once the store answers again: the route's
    // undo frees the key then, its release following the claim on the connection.
    const mayHold = 'outcome' in claim ? claim.outcome.kind === 'fresh' : authcodeErrorOf(claim.error)?.failure === 'unavailable'
    if (mayHold) heldKey.set(res, held)
    await attempt.verdict(res)
    if (!('outcome' in claim)) throw claim.error
    if (claim.outcome.kind === 'replay') {
      await Promise.all(limits.map((limit) => limit.giveBack(req).catch(() => undefined)))
      res.setHeader('Idempotent-Replayed', 'true')
      sendJson(res, 201, codesAnswer(claim.outcome.answer, body, magicLinkUrl, waits))
      return
    }
    if (refusal !== undefined) throw refusal
    next()
  }
}
