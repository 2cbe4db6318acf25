import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Compares two secrets in constant time. Both sides are hashed first, so neither their
 * contents nor their lengths leak through timing.
 */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest())
}
