import { hash, timingSafeEqual } from 'node:crypto'

/**
 * Compares two secrets in constant time. Both sides are hashed first, so neither their
 * contents nor their lengths leak through timing.
 */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(hash('sha256', a, 'buffer'), hash('sha256', b, 'buffer'))
}
