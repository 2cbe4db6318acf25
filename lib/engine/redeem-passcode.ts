import type { Grant } from '../../types/grant.js'
import { InvalidGrantError } from '../errors/oauth.js'
import type { Engine } from './engine.js'
import { passcodeGroup, passcodeMac, unwrapRecordKey } from './passcode.js'
import { openRecordWith } from './record.js'
import { finishRedemption } from './redeem.js'

/** What `auth.redeemOtp()` is given: whose passcode, the passcode typed, and the binding verifier if the browser has one. */
export interface PasscodeRedemption {
  clientId: string
  subject: string
  otp: string
  /** The verifier of a code issued with a `code_challenge` (same-browser binding); ignored for a code issued without one. */
  codeVerifier?: string
}

/**
 * Redeems the live passcode of (client, user) in one atomic store step that counts a wrong one
 * (the last allowed one burns the grant) and consumes the code with a right one: either
 * credential consumes both. A code issued with a challenge still needs its verifier.
 * @throws InvalidGrantError for a wrong, spent or unknown passcode, or a missing verifier.
 */
export async function redeemPasscode(engine: Engine, { clientId, subject, otp, codeVerifier }: PasscodeRedemption): Promise<Grant> {
  const { atRest, telemetry } = engine
  if (!/^\d{1,16}$/.test(otp)) {
    telemetry?.redeemFailed('unknown')
    throw new InvalidGrantError('The passcode is not valid.')
  }
  const result = await engine.store.consumePasscode(passcodeGroup(atRest, clientId, subject), (id) => passcodeMac(atRest, id, otp))
  if (result.status === 'wrong') {
    telemetry?.redeemFailed('binding', 'magic_link')
    throw new InvalidGrantError(`The passcode is wrong; ${result.attemptsLeft} more ${result.attemptsLeft === 1 ? 'try' : 'tries'}.`)
  }
  if (result.status === 'burned') {
    telemetry?.redeemFailed('otp_attempts', 'magic_link')
    throw new InvalidGrantError('Too many wrong passcodes: this sign-in can no longer be used.')
  }
  const record =
    result.status === 'consumed'
      ? openRecordWith(unwrapRecordKey(atRest, result.id, otp, result.wrappedKey), result.id, result.value)
      : undefined
  if (record === undefined) {
    telemetry?.redeemFailed('unknown')
    throw new InvalidGrantError('The passcode is not valid, or was used already.')
  }
  const verifier = record.codeChallenge === undefined || codeVerifier === undefined ? {} : { codeVerifier }
  return finishRedemption(engine, record, { kind: 'magic_link', clientId, ...verifier })
}
