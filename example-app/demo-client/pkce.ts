import { createHash, randomBytes } from 'node:crypto'

/** A fresh `code_verifier` (43 characters) and its S256 `code_challenge`. @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1 */
export function newPkcePair(): { codeVerifier: string; codeChallenge: string } {
  const codeVerifier = randomBytes(32).toString('base64url')
  return { codeVerifier, codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url') }
}

/** A fresh `state` value, bound to the browser's session. @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12 */
export function newState(): string {
  return randomBytes(16).toString('base64url')
}
