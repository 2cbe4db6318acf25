import type { RequestHandler } from 'express'
import { claimIdempotencyKey, IdempotencyKey } from '../../engine/idempotency.js'
import { requestLocal } from '../../http/locals.js'
import { sendJson } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { codesAnswer } from './answer.js'
import { caller } from './authenticate.js'
import { codesBody } from './body.js'

/** An Idempotency-Key this request holds until it saves its answer or gives the key up. */
export interface HeldKey {
  key: IdempotencyKey
  /** The token the store knows the holder by. */
  owner: string
}

/** The key this request claimed, set by {@link claimKey}. */
export const heldKey = requestLocal<HeldKey>('the claimed Idempotency-Key')

/**
 * Reads the `Idempotency-Key` and claims it in one atomic store step. A key whose request
 * finished answers its stored status and body again, with `Idempotent-Replayed: true`; one
 * used with another body is 422, one whose request still runs 409.
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 */
export function claimKey(ctx: AuthcodeContext): RequestHandler {
  const { magicLinkUrl } = ctx.options
  const { store } = ctx.engine
  return async function claimIdempotency(req, res, next) {
    const key = IdempotencyKey.fromHeader(ctx.engine.atRest, caller.get(res).clientId, req.get('Idempotency-Key'))
    const body = codesBody.get(res)
    const claim = await claimIdempotencyKey(store, key, key.fingerprint(body))
    if (claim.kind === 'replay') {
      res.setHeader('Idempotent-Replayed', 'true')
      sendJson(res, 201, codesAnswer(claim.answer, body, magicLinkUrl))
      return
    }
    heldKey.set(res, { key, owner: claim.owner })
    next()
  }
}
