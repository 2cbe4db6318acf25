import type { RequestHandler } from 'express'
import { claimIdempotencyKey, IdempotencyKey } from '../../engine/idempotency.js'
import { requestLocal } from '../../http/locals.js'
import { sendJson } from '../../http/send.js'
import type { CodeStore } from '../../../types/store.js'
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
export function claimKey(store: CodeStore): RequestHandler {
  return async function claimIdempotency(req, res, next) {
    const key = IdempotencyKey.fromHeader(caller.get(res).clientId, req.get('Idempotency-Key'))
    const claim = await claimIdempotencyKey(store, key, key.fingerprint(codesBody.get(res)))
    if (claim.kind === 'replay') {
      res.setHeader('Idempotent-Replayed', 'true')
      sendJson(res, claim.answer.status, claim.answer.body)
      return
    }
    heldKey.set(res, { key, owner: claim.owner })
    next()
  }
}
