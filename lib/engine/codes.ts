import { randomBytes } from 'node:crypto'

/** A code: 32 random bytes in base64url without padding. */
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

/** A new code and its id: the hash under which a store keeps it. */
export interface DrawnCode {
  code: string
  id: string
}

/**
 * A new code: 256 bits from the CSPRNG, base64url, and its id (`idOf`). With `accept`, codes are
 * drawn until it accepts the id (a store that must co-locate the code with another key, see
 * `CodeStore.acceptsCodeId`); rejected draws reveal nothing the stored id does not.
 */
export function drawCode(idOf: (code: string) => string, accept?: (id: string) => boolean): DrawnCode {
  for (;;) {
    const drawn = random(32 * (accept === undefined ? 1 : BATCH))
    for (let offset = 0; offset < drawn.length; offset += 32) {
      const code = drawn.subarray(offset, offset + 32).toString('base64url')
      const id = idOf(code)
      if (accept === undefined || accept(id)) return { code, id }
    }
  }
}

/** Whether a string has the shape of a code (checked before any store round trip). */
export function looksLikeCode(value: string): boolean {
  return CODE_PATTERN.test(value)
}
