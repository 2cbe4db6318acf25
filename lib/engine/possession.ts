import { InvalidDpopProofError } from '../errors/oauth.js'
import type { Engine } from './engine.js'

/**
 * A DPoP proof checked for everything but single use: the RFC 7638 thumbprint of its key, its
 * `jti`, and until when (epoch milliseconds) its `iat` stays acceptable, so until when its `jti`
 * must be remembered.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */
export interface PossessionProof {
  /** The base64url SHA-256 thumbprint of the proof's public key. */
  jkt: string
  jti: string
  /** Epoch milliseconds after which the proof's `iat` is refused anyway. */
  acceptedUntil: number
}

/**
 * Claims a proof's `jti` in the store, so that a proof is accepted once from any process:
 * `claimOnce` (one atomic step, made durable like a consumption when `durability` is on) under a
 * digest of the key's thumbprint and the `jti` (keyed with `atRestKey`), until the proof's `iat`
 * is refused anyway. Resolves whether this was the first claim. Callers send it beside the store
 * step it guards (a code's consumption, a refresh token's read) and wait for it before anything
 * is final; it never rejects unawaited.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-11.1
 */
export function claimProof(engine: Engine, proof: PossessionProof): Promise<boolean> {
  const id = engine.atRest.digest('dpop jti', `${proof.jkt}.${proof.jti}`)
  const claimed = engine.store.claimOnce(id, Math.max(1000, proof.acceptedUntil - Date.now()))
  // Handled here so that a store failure while the caller waits for the step beside it is no unhandled rejection; the caller awaits it.
  claimed.catch(() => undefined)
  return claimed
}

/** The refusal of a proof whose `jti` was claimed before (a replay). */
export function proofReplayed(): InvalidDpopProofError {
  return new InvalidDpopProofError('The DPoP proof was already used: sign a new one for every request.')
}
