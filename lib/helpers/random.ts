import { hash, randomBytes } from 'node:crypto'
import { slotTag } from '../stores/slot-tag.js'

/** Length of a code: 32 random bytes in base64url without padding. */
export const CODE_LENGTH = 43
const CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/
const BATCH = 64
const POOL_BYTES = 4096

let pool = Buffer.alloc(0)
let used = 0

/**
 * `size` bytes from the CSPRNG, cut from a pool filled 4 KiB at a time, as `randomUUID` does:
 * one call into OpenSSL per ~100 codes instead of one per code. Each byte is handed out once,
 * and a refill takes a new buffer, so bytes already handed out never change.
 */
export function random(size: number): Buffer {
  if (size > POOL_BYTES) return randomBytes(size)
  if (used + size > pool.length) {
    pool = randomBytes(POOL_BYTES)
    used = 0
  }
  used += size
  return pool.subarray(used - size, used)
}

/**
 * A new code: 256 bits from the CSPRNG, base64url. With `tag`, codes are drawn until the
 * {@link slotTag} of the code's SHA-256 equals it, so the code lands in a chosen Redis Cluster
 * hash slot; that reveals nothing the stored hash does not, and leaves 250 unknown bits.
 */
export function generateCode(tag?: string): string {
  for (;;) {
    const drawn = random(32 * (tag === undefined ? 1 : BATCH))
    for (let offset = 0; offset < drawn.length; offset += 32) {
      const code = drawn.subarray(offset, offset + 32).toString('base64url')
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
