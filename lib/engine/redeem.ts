import type { AuthcodeEventMap, AuthcodeEventType } from '../../types/events.js'
import type { Grant, RedeemExpectation } from '../../types/grant.js'
import { InvalidGrantError, InvalidTargetError } from '../errors/oauth.js'
import { EventHandlerFailedError } from '../errors/problems.js'
import { looksLikeCode } from './codes.js'
import type { Engine } from './engine.js'
import { openRecord, type CodeRecord } from './record.js'
import { verifierFit } from './verifier-fit.js'
import { claimProof, proofReplayed, type PossessionProof } from './possession.js'

/** The grant a record stands for, as callers see it (no PKCE challenge, dates as `Date`). */
export function toGrant(record: CodeRecord): Grant {
  const { codeChallenge: _challenge, issuedAt, expiresAt, ...rest } = record
  return { ...rest, issuedAt: new Date(issuedAt), expiresAt: new Date(expiresAt) }
}

/**
 * A record opened from the value the store kept for it, by a read before the redemption (the
 * landing page's): a consumption that returns the same value need not open it again.
 */
export interface OpenedRecord {
  value: string
  record: CodeRecord
}

/** What a token endpoint presents with a code: what any redeemer does, and the DPoP proof the request carried. */
export interface TokenRedemption extends RedeemExpectation {
  /**
   * A DPoP proof checked for all but single use: its `jti` is claimed beside the consumption; a
   * code bound to a key (`dpop_jkt`) needs a proof of that key, and the grant carries the proof's.
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-10.1
   */
  proof?: PossessionProof | undefined
}

/**
 * Consumes a code in one atomic store operation, then checks what it is bound to. The first
 * presentation of a live code consumes it whatever the outcome, so a wrong client, redirect
 * URI, verifier or DPoP key (or a replayed proof) burns it. A second presentation fires
 * `authorization.CodeReuseDetected` with the original grant.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.5
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-10.1
 * @param opened The record a read of this code opened before (`redemptionFor`), reused when the
 * store's value is the same.
 * @throws InvalidGrantError for an unknown, expired, used or mismatching code.
 * @throws InvalidDpopProofError for a proof whose `jti` was seen before; the code is spent.
 */
export async function redeemCode(engine: Engine, code: unknown, expect: TokenRedemption, opened?: OpenedRecord): Promise<Grant> {
  const { telemetry } = engine
  if (typeof code !== 'string' || !looksLikeCode(code)) {
    telemetry?.redeemFailed('unknown')
    throw new InvalidGrantError()
  }
  const id = engine.atRest.codeId(code)
  // Sent beside the consumption, which does not wait for it: one round trip for both.
  const claimed = expect.proof && claimProof(engine, expect.proof)
  const result = await engine.store.consume(id)
  // A code's id is saved once, so the same value under it is the same record: opened once per request.
  const record =
    result.status === 'missing'
      ? undefined
      : result.value === opened?.value
        ? opened.record
        : openRecord(engine.atRest, code, id, result.value)
  if (result.status === 'missing' || record === undefined) {
    telemetry?.redeemFailed('unknown')
    throw new InvalidGrantError()
  }
  if (result.status === 'reused') {
    const grant = toGrant(record)
    telemetry?.reuseDetected(grant.kind)
    telemetry?.redeemFailed('reused', grant.kind)
    await emit(engine, 'authorization.CodeReuseDetected', grant)
    throw new InvalidGrantError('The authorization code was already used.')
  }
  return finishRedemption(engine, record, expect, claimed)
}

/**
 * What follows a consumption (of a code, or of its passcode): the consumed record must match
 * what the redeemer presented, a DPoP proof must be new (`claimed`, its claim sent beside the
 * consumption), and `authorization.CodeRedeemed` hears of the grant, bound to the proof's key.
 * @throws InvalidGrantError for an expired or mismatching record, which stays consumed.
 * @throws InvalidDpopProofError for a replayed proof; the record stays consumed.
 */
export async function finishRedemption(
  engine: Engine,
  record: CodeRecord,
  expect: TokenRedemption,
  claimed?: Promise<boolean>,
): Promise<Grant> {
  const grant = toGrant(record)
  const fresh = await claimed
  try {
    checkBinding(record, expect)
    if (fresh === false) throw proofReplayed()
  } catch (err) {
    engine.telemetry?.redeemFailed(hasExpired(record) ? 'expired' : 'binding', grant.kind)
    throw err
  }
  // RFC 9449 §5: tokens for this grant are bound to the key the request proved it holds.
  const bound = expect.proof === undefined ? grant : { ...grant, dpopJkt: expect.proof.jkt }
  // RFC 8707 §2.2: the grant carries just the one resource the token request named.
  const redeemed = expect.resource === undefined ? bound : { ...bound, resource: [expect.resource] }
  await emit(engine, 'authorization.CodeRedeemed', redeemed)
  engine.telemetry?.codeRedeemed(grant.kind)
  return redeemed
}

function hasExpired(record: CodeRecord): boolean {
  return record.expiresAt <= Date.now()
}

/** Why a redemption refuses a verifier, as each {@link verifierFit} it refuses says it. */
const VERIFIER_REFUSED = {
  missing: 'code_verifier is required for this code.',
  mismatch: 'code_verifier does not match the code_challenge.',
  unexpected: 'code_verifier was sent for a code issued without a code_challenge.',
} as const

/** Throws unless the consumed record matches everything the redeemer presented. */
function checkBinding(record: CodeRecord, expect: TokenRedemption): void {
  if (hasExpired(record)) throw new InvalidGrantError('The authorization code has expired.')
  const kinds: readonly string[] = typeof expect.kind === 'string' ? [expect.kind] : expect.kind
  if (!kinds.includes(record.kind)) throw new InvalidGrantError('The authorization code cannot be redeemed here.')
  if (expect.clientId !== undefined && expect.clientId !== record.clientId) {
    throw new InvalidGrantError('The authorization code was issued to another client.')
  }
  // RFC 6749 §4.1.3: redirect_uri must be identical to the one the code was issued for.
  if (expect.redirectUri !== undefined && record.redirectUri !== undefined && expect.redirectUri !== record.redirectUri) {
    throw new InvalidGrantError('redirect_uri does not match the one the code was issued for.')
  }
  const fit = verifierFit(record.codeChallenge, expect.codeVerifier)
  if (fit !== 'fits' && fit !== 'unbound') throw new InvalidGrantError(VERIFIER_REFUSED[fit])
  if (expect.resource !== undefined && !record.resource?.includes(expect.resource)) {
    throw new InvalidTargetError('resource is not one the authorization code was issued for.')
  }
  // RFC 9449 §10.1: a code bound to a key (dpop_jkt) is exchanged only with a proof of that key.
  if (record.dpopJkt !== undefined && expect.proof?.jkt !== record.dpopJkt) {
    throw new InvalidGrantError('The authorization code is bound to a DPoP key: send a DPoP proof of that key.')
  }
}

/** Emits an event of redemption or revocation; a handler that throws fails the call with `event-handler-failed`. */
export async function emit<T extends Exclude<AuthcodeEventType, 'authorization.CodeIssued'>>(
  engine: Engine,
  type: T,
  data: AuthcodeEventMap[T],
): Promise<void> {
  try {
    await engine.events.emit(type, data)
  } catch (err) {
    throw new EventHandlerFailedError(type, err)
  }
}
