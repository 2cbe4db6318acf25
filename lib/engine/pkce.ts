import { hash } from 'node:crypto'
import { safeEqual } from './timing-safe.js'

/**
 * A `code_verifier` is 43–128 characters of the unreserved set.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/

/**
 * An S256 `code_challenge` is BASE64URL(SHA256(verifier)) without padding: exactly 43
 * characters of the base64url alphabet. Anything else can never match a verifier, and a code
 * bound to it could never be redeemed.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

/** The S256 challenge of a verifier: BASE64URL(SHA256(ASCII(code_verifier))). */
export function s256(verifier: string): string {
  return hash('sha256', Buffer.from(verifier, 'ascii'), 'base64url')
}

/**
 * Whether `verifier` is well formed and hashes to `challenge` (S256 only; `plain` is never accepted).
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 */
export function verifyS256(verifier: string, challenge: string): boolean {
  return PKCE_VALUE.test(verifier) && safeEqual(s256(verifier), challenge)
}
