import { randomInt } from 'node:crypto'
import type { StoredPasscode } from '../../types/store.js'
import type { AtRest } from './at-rest.js'
import { open, seal } from './seal.js'

/** A passcode of `length` decimal digits, each drawn uniformly from the CSPRNG. */
export function newPasscode(length: number): string {
  return Array.from({ length }, () => randomInt(10)).join('')
}

/** The (client, user) group of a passcode: one live passcode each, found by `auth.redeemOtp()`. */
export function passcodeGroup(atRest: AtRest, clientId: string, subject: string): string {
  return atRest.digest('passcode', `${clientId}\n${subject}`)
}

/**
 * The HMAC a passcode is kept as, for the code `id` (each grant its own key, so one HMAC says
 * nothing of another) and with `atRestKey` when given. Without `atRestKey` a dump still lets
 * someone try the 10^length passcodes offline while one is live: `authcode()` warns.
 */
export function passcodeMac(atRest: AtRest, id: string, passcode: string): string {
  return atRest.digest('passcode mac', `${id}\0${passcode}`)
}

/**
 * What a bound passcode asks a presentation to carry: a digest of the S256 challenge of the
 * browser's verifier, keyed for the (client, user) `group` (the store compares it before it
 * counts anything, and a dump does not link it to the browser's cookie).
 */
export function passcodeBinding(atRest: AtRest, group: string, challenge: string): string {
  return atRest.digest('passcode binding', `${group}\0${challenge}`)
}

/** The key that wraps a code's record key, derived from the passcode: only the passcode (or the code) opens the record. */
function wrappingKey(atRest: AtRest, id: string, passcode: string): Buffer {
  return atRest.derive('passcode key', `${id}\0${passcode}`)
}

/** A passcode for the code `id` as a store keeps it; with the code's `challenge`, bound to the browser that holds its verifier. */
export function storedPasscode(
  atRest: AtRest,
  ids: { id: string; group: string; recordKey: Buffer; challenge?: string | undefined },
  passcode: string,
  maxAttempts: number,
): StoredPasscode {
  return {
    group: ids.group,
    mac: passcodeMac(atRest, ids.id, passcode),
    wrappedKey: seal(wrappingKey(atRest, ids.id, passcode), ids.recordKey, ids.id),
    maxAttempts,
    ...(ids.challenge === undefined ? {} : { binding: passcodeBinding(atRest, ids.group, ids.challenge) }),
  }
}

/** The record key a right passcode unwraps. @throws Error when it does not open. */
export function unwrapRecordKey(atRest: AtRest, id: string, passcode: string, wrappedKey: string): Buffer {
  return open(wrappingKey(atRest, id, passcode), wrappedKey, id)
}
