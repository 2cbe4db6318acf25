import { hash, randomBytes } from 'node:crypto'
import { slotTag } from '../stores/slot-tag.js'

/** Length of a code: 32 random bytes in base64url without padding. */
export const CODE_LENGTH = 43
const CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/
const BATCH = 64

/**
 * A new code: 256 bits from the CSPRNG, base64url. With `tag`, codes are drawn until the
 * {@link slotTag} of the code's SHA-256 equals it, so the code lands in a chosen Redis Cluster
 * hash slot; that reveals nothing the stored hash does not, and leaves 250 unknown bits.
 */
export function generateCode(tag?: string): string {
  for (;;) {
    const pool = randomBytes(32 * (tag === undefined ? 1 : BATCH))
    for (let offset = 0; offset < pool.length; offset += 32) {
      const code = pool.subarray(offset, offset + 32).toString('base64url')
      if (tag === undefined || slotTag(sha256(code)) === tag) return code
    }
  }
}

/** Whether a string has the shape of a code (checked before any store round trip). */
export function looksLikeCode(value: string): boolean {
  return CODE_PATTERN.test(value)
}

/** SHA-256 of a value, base64url: what stores keep instead of a code or a key. */
export function sha256(value: string): string {
  return hash('sha256', value, 'base64url')
}
