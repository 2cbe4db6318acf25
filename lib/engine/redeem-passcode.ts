import type { Grant } from '../../types/grant.js'
import type { PasscodeRedemption } from '../../types/router.js'
import type { PasscodeResult } from '../../types/store.js'
import { DEFAULTS } from '../defaults.js'
import { InvalidGrantError } from '../errors/oauth.js'
import type { RedeemFailure } from '../telemetry/telemetry.js'
import type { Engine } from './engine.js'
import { passcodeBinding, passcodeGroup, passcodeMac, unwrapRecordKey } from './passcode.js'
import { s256 } from './pkce.js'
import { openRecordWith } from './record.js'
import { finishRedemption } from './redeem.js'

/** The budget of wrong passcodes per (client, user) across grants: `otp.maxFailuresPerWindow` per `otp.windowSeconds`. */
export interface PasscodeBudget {
  maxFailuresPerWindow: number
  windowSeconds: number
}

/**
 * The one answer to every refused passcode, whatever refused it: an answer that differed (or
 * told the tries left) would tell whether an address has an account and a passcode.
 */
export const PASSCODE_REFUSED = 'The passcode is not valid, or was used already.'

/** Why a passcode was refused, as `authcode.codes.redeem_failed` counts it (never told to the caller). */
const REASONS: Record<Exclude<PasscodeResult['status'], 'consumed'>, RedeemFailure> = {
  missing: 'unknown',
  mismatch: 'binding',
  wrong: 'otp_wrong',
  burned: 'otp_attempts',
  locked: 'otp_locked',
}

/**
 * Redeems the live passcode of (client, user) in one atomic store operation: a passcode of a
 * bound grant presented without its browser's verifier is refused before anything is counted or
 * spent; every other one is charged to the user's budget of failures across grants (past it,
 * every passcode of the user is refused unread until the window ends) and to
 * its grant's attempts (the last allowed wrong one burns the grant); a right one consumes the
 * code with it, either credential consuming both. Unknown subject, wrong, burned, locked and
 * mismatched passcodes are refused alike, after the same store round trips.
 * @throws InvalidGrantError {@link PASSCODE_REFUSED} for any refused passcode; others for a grant
 * that does not match once consumed (see `finishRedemption`).
 */
export async function redeemPasscode(
  engine: Engine,
  { clientId, subject, otp, codeVerifier }: PasscodeRedemption,
  budget: PasscodeBudget = DEFAULTS.otp,
): Promise<Grant> {
  const { atRest, telemetry } = engine
  if (!/^\d{1,16}$/.test(otp)) {
    telemetry?.redeemFailed('unknown')
    throw new InvalidGrantError(PASSCODE_REFUSED)
  }
  const group = passcodeGroup(atRest, clientId, subject)
  const result = await engine.store.consumePasscode(group, {
    macFor: (id) => passcodeMac(atRest, id, otp),
    binding: codeVerifier === undefined ? '' : passcodeBinding(atRest, group, s256(codeVerifier)),
    maxFailures: budget.maxFailuresPerWindow,
    windowMs: budget.windowSeconds * 1000,
  })
  const record =
    result.status === 'consumed'
      ? openRecordWith(unwrapRecordKey(atRest, result.id, otp, result.wrappedKey), result.id, result.value)
      : undefined
  if (record === undefined) {
    const reason = result.status === 'consumed' ? 'unknown' : REASONS[result.status]
    if (reason === 'unknown') telemetry?.redeemFailed(reason)
    else telemetry?.redeemFailed(reason, 'magic_link')
    throw new InvalidGrantError(PASSCODE_REFUSED)
  }
  const verifier = record.codeChallenge === undefined || codeVerifier === undefined ? {} : { codeVerifier }
  return finishRedemption(engine, record, { kind: 'magic_link', clientId, ...verifier })
}
