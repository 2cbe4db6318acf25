import { createHash } from 'node:crypto'
import type { Request } from 'express'
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify, type JWK, type JWTPayload } from 'jose'
import type { PossessionProof } from '../../engine/possession.js'
import { InvalidDpopProofError } from '../../errors/oauth.js'
import { normalizedHttpUri } from './target-uri.js'

/** What a proof is checked against, built once per route. */
export interface DpopChecks {
  /** The URI the proof's `htu` must name, as {@link normalizedHttpUri} writes it. */
  htu: string
  /** The `alg`s a proof may be signed with (`dpop.algorithms`). */
  algorithms: readonly string[]
  /** Seconds `iat` may be off the server clock, either way (`dpop.skewSeconds`). */
  skewSeconds: number
}

/** JWK members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

/** Ample for a proof signed with an 8192-bit RSA key; a longer header is refused before any work. */
const MAX_PROOF_LENGTH = 8192

/** A `jti` longer than this is no identifier a client drew (RFC 9449 §4.2 asks for 96 random bits or a UUID). */
const MAX_JTI_LENGTH = 256

/** The claims RFC 9449 §4.2 requires of every proof. */
const REQUIRED_CLAIMS = ['jti', 'htm', 'htu', 'iat']

const refused = (description: string) => new InvalidDpopProofError(description)

/**
 * The request's `DPoP` header, or `undefined` without one.
 * @throws InvalidDpopProofError for more than one.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */
function dpopHeader(req: Request): string | undefined {
  const values = req.headersDistinct.dpop
  if (values === undefined) return undefined
  if (values.length !== 1) throw refused('Send exactly one DPoP header.')
  return values[0]
}

/**
 * The proof's `jwk` header, refused before the signature is checked when it has private members.
 * @throws InvalidDpopProofError for a value that is no JWS, or a private or symmetric key.
 */
function publicJwkOf(proof: string): JWK {
  let jwk: unknown
  try {
    jwk = decodeProtectedHeader(proof).jwk
  } catch {
    throw refused('The DPoP header is not a JWT.')
  }
  if (typeof jwk !== 'object' || jwk === null) throw refused('The DPoP proof has no jwk header.')
  if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(jwk, member))) throw refused('The DPoP proof jwk must be a public key.')
  return jwk as JWK
}

/** What a refusal of jose's says, in words that repeat nothing of the proof. */
function whyJoseRefused(err: errors.JOSEError): string {
  if (err instanceof errors.JOSEAlgNotAllowed) return 'The DPoP proof alg is not one of dpop_signing_alg_values_supported.'
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'The DPoP proof signature does not verify with its jwk.'
  if (err instanceof errors.JWTClaimValidationFailed || err instanceof errors.JWTExpired) {
    if (err.claim === 'typ') return 'The DPoP proof typ must be dpop+jwt.'
    if (err.reason === 'missing') return `The DPoP proof has no ${err.claim} claim.`
    return `The DPoP proof ${err.claim} claim is not valid.`
  }
  return 'The DPoP proof is not a JWT signed with the public key of its jwk header.'
}

/**
 * Verifies the proof with jose against the key it carries: `typ: dpop+jwt`, an `alg` of
 * `algorithms` (jose refuses `none`, and an HMAC `alg` is not among them), the signature, and
 * the presence of the claims RFC 9449 §4.2 requires.
 */
async function verified(proof: string, checks: DpopChecks): Promise<JWTPayload> {
  try {
    const options = { typ: 'dpop+jwt', algorithms: [...checks.algorithms], requiredClaims: REQUIRED_CLAIMS }
    return (await jwtVerify(proof, EmbeddedJWK, options)).payload
  } catch (err) {
    if (err instanceof errors.JOSEError) throw refused(whyJoseRefused(err))
    throw err
  }
}

/**
 * Checks the request's DPoP proof, if it sends one, in the order of RFC 9449 §4.3, the cheap
 * checks first: exactly one `DPoP` header, of reasonable length; a JWS whose `jwk` header has no
 * private members; verified by jose with that key (`typ: dpop+jwt`, an `alg` of
 * `checks.algorithms`, the signature); `htm` the request's method, `htu` equal to `checks.htu`
 * once normalized (RFC 3986 §6; an `htu` with a query or fragment is refused, since §4.2 says it
 * has none), `iat` within `checks.skewSeconds` of the server clock either way, a string `jti`;
 * with `accessToken` (a resource server's request), `ath` its SHA-256. Single use is left to the
 * caller ({@link PossessionProof}), which claims the `jti` beside its own store step.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 * @throws InvalidDpopProofError naming the check that failed.
 */
export async function checkDpopProof(req: Request, checks: DpopChecks, accessToken?: string): Promise<PossessionProof | undefined> {
  const proof = dpopHeader(req)
  if (proof === undefined) return undefined
  if (proof.length > MAX_PROOF_LENGTH) throw refused('The DPoP proof is too long.')
  const jwk = publicJwkOf(proof)
  const { htm, htu, iat, jti, ath } = await verified(proof, checks)
  if (htm !== req.method) throw refused('The DPoP proof htm is not the method of this request.')
  if (typeof htu !== 'string' || normalizedHttpUri(htu) !== checks.htu) throw refused('The DPoP proof htu is not the URL of this endpoint.')
  if (typeof iat !== 'number' || Math.abs(Date.now() / 1000 - iat) > checks.skewSeconds) {
    throw refused(`The DPoP proof iat is more than ${checks.skewSeconds} seconds from the server clock.`)
  }
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw refused('The DPoP proof jti is not valid.')
  if (accessToken !== undefined && ath !== createHash('sha256').update(accessToken).digest('base64url')) {
    throw refused('The DPoP proof ath is not the hash of the access token.')
  }
  return { jkt: await calculateJwkThumbprint(jwk, 'sha256'), jti, acceptedUntil: (iat + checks.skewSeconds + 1) * 1000 }
}
