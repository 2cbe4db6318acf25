import { timingSafeEqual } from 'node:crypto'
import type { CodeOwner } from '../../types/store.js'

/** A code in a {@link MemoryStore}. */
export interface Entry {
  consumed: boolean
  /** The sealed record, as the engine handed it. */
  value: string
  expiresAt: number
  owner?: CodeOwner
  /** The live passcode of the grant; gone once either credential is consumed. */
  passcode?: { mac: string; wrappedKey: string; attemptsLeft: number }
  /** The cross-device decision on the code, which dies with it: what an approval keeps, or none for a cancellation. */
  approval?: { approved: true; value: string } | { approved: false }
}

export interface IdempotencyEntry {
  fingerprint: string
  /** Set while the key's request runs. */
  owner?: string
  answer?: string
  expiresAt: number
}

/** The code whose passcode is the live one of a (client, user) group. */
export interface PasscodePointer {
  id: string
  expiresAt: number
  /** What a presentation must carry when the passcode's code is bound to a browser. */
  binding?: string
}

/** Wrong passcodes charged to a (client, user) group until `expiresAt`, the end of its window. */
export interface FailureCount {
  count: number
  expiresAt: number
}

/** Consumes a code and its passcode together. */
export function burn(entry: Entry): void {
  entry.consumed = true
  delete entry.passcode
}

/** Whether two passcode HMACs are equal, in constant time. */
export function sameMac(presented: string, kept: string): boolean {
  const [a, b] = [Buffer.from(presented), Buffer.from(kept)]
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The entry under `id` unless it has expired by `now` (then it is dropped). */
export function live<T extends { expiresAt: number }>(map: Map<string, T>, id: string, now: number): T | undefined {
  const entry = map.get(id)
  if (entry && entry.expiresAt <= now) {
    map.delete(id)
    return undefined
  }
  return entry
}
