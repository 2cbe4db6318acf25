import { createHash, randomBytes } from 'node:crypto'

/** Length of a code: 32 random bytes in base64url without padding. */
export const CODE_LENGTH = 43
const CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/

/** A new code: 256 bits from the CSPRNG, base64url. */
export function generateCode(): string {
  return randomBytes(32).toString('base64url')
}

/** Whether a string has the shape of a code (checked before any store round trip). */
export function looksLikeCode(value: string): boolean {
  return CODE_PATTERN.test(value)
}

/** SHA-256 of a value, base64url: what stores keep instead of a code or a key. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url')
}
