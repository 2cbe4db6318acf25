import { verifyS256 } from './pkce.js'

/**
 * How a presented PKCE verifier stands to a code's challenge: `fits` (the challenge is the
 * verifier's S256), `unbound` (no challenge, no verifier), or why a redemption with it is refused:
 * `missing` (a bound code without a verifier), `mismatch` (another browser's verifier, or a
 * forged one), `unexpected` (a verifier for a code issued without a challenge).
 */
export type VerifierFit = 'fits' | 'unbound' | 'missing' | 'mismatch' | 'unexpected'

/**
 * The browser-binding rule, in one place: a code issued with a `code_challenge` (a bound magic
 * link, an authorization code) redeems only with the verifier of that challenge, and a code
 * issued without one takes no verifier. A redemption refuses every fit but `fits` and `unbound`;
 * the landing page reads it before consuming, so that it never burns a code the browser cannot
 * redeem.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 */
export function verifierFit(codeChallenge: string | undefined, codeVerifier: string | undefined): VerifierFit {
  if (codeChallenge === undefined) return codeVerifier === undefined ? 'unbound' : 'unexpected'
  if (codeVerifier === undefined) return 'missing'
  return verifyS256(codeVerifier, codeChallenge) ? 'fits' : 'mismatch'
}
