import { hash, timingSafeEqual } from 'node:crypto'

/** SHA-256 of a secret: what constant-time comparisons compare, so lengths never leak. */
export function secretDigest(value: string): Buffer {
  return hash('sha256', value, 'buffer')
}

/**
 * Compares two secrets in constant time. Both sides are hashed first, so neither their
 * contents nor their lengths leak through timing.
 */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(secretDigest(a), secretDigest(b))
}
