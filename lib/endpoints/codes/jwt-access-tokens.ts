import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey, type KeyInput } from 'jose'
import type { AccessTokenInfo } from '../../../types/options.js'
import { DEFAULTS } from '../../defaults.js'
import { AuthcodeOptionsError, OPTIONS_ERROR_CODES } from '../../errors/options-error.js'
import { ProblemError } from '../../errors/problems.js'

/**
 * The verifiers {@link jwtAccessTokens} made: they check a token in memory (a JWKS is fetched only
 * when jose's cache of it is stale), and their result shows only in the answer.
 */
const inMemory = new WeakSet<object>()

/** Whether `verify` is one of {@link jwtAccessTokens}, which checks a token without calling out per token. */
export function verifiesInMemory(verify: object): boolean {
  return inMemory.has(verify)
}

/** Options of {@link jwtAccessTokens}: where the keys are and what the tokens must say. */
export interface JwtAccessTokensOptions {
  /** URL of the IdP's JWKS (fetched and cached by jose); give this or `key`. */
  jwksUri?: string
  /** One verification key (CryptoKey, KeyObject, JWK or secret); give this or `jwksUri`. */
  key?: KeyInput
  /** Required `iss`. */
  issuer: string
  /** Required `aud` (one of them). */
  audience: string | string[]
  /**
   * Accepted `alg` values; `none` is never accepted.
   * @default {@link DEFAULTS.jwt.algorithms} (['RS256', 'PS256', 'ES256', 'EdDSA'])
   */
  algorithms?: string[]
  /**
   * Required `typ` header, or `false` for IdPs that do not send RFC 9068's `at+jwt`.
   * @default {@link DEFAULTS.jwt.typ} ('at+jwt')
   */
  typ?: string | false
  /** Seconds of clock skew allowed on `exp`, `nbf` and `iat`. @default {@link DEFAULTS.jwt.clockTolerance} (5) */
  clockTolerance?: number
  /**
   * Also accept tokens issued to a client on behalf of a user (`sub` other than `client_id`).
   * Off, only client-credentials tokens pass: their `sub` is the client itself, so a token a
   * user obtained through a client (authorization code flow) cannot issue codes for anyone.
   * Turn it on only when every user the IdP issues such tokens to may issue codes.
   * @default false
   * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2
   */
  allowUserTokens?: boolean
}

/**
 * A `verifyAccessToken` for services that hold client-credentials JWT access tokens from an
 * IdP: checks signature, `iss`, `aud`, `exp` and `typ`, that `sub` is `client_id` (unless
 * `allowUserTokens`), and reads `client_id` and the space-separated `scope` claim.
 * Unverifiable tokens resolve `null` (401 `invalid_token`); an unreachable JWKS answers 503.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2.3
 * @throws AuthcodeOptionsError when neither or both of `jwksUri` and `key` are given, or `issuer`/`audience` is missing.
 */
export function jwtAccessTokens(options: JwtAccessTokensOptions): (token: string) => Promise<AccessTokenInfo | null> {
  if ((options.jwksUri === undefined) === (options.key === undefined))
    throw new AuthcodeOptionsError('jwtAccessTokens(): give one of "jwksUri" or "key"', OPTIONS_ERROR_CODES.conflict)
  if (!options.issuer || !options.audience)
    throw new AuthcodeOptionsError('jwtAccessTokens(): "issuer" and "audience" are required', OPTIONS_ERROR_CODES.missing)
  const key: KeyInput | JWTVerifyGetKey =
    options.jwksUri === undefined ? (options.key as KeyInput) : createRemoteJWKSet(new URL(options.jwksUri))
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: options.algorithms ?? [...DEFAULTS.jwt.algorithms],
    requiredClaims: ['exp', 'client_id'],
    clockTolerance: options.clockTolerance ?? DEFAULTS.jwt.clockTolerance,
    ...(options.typ === false ? {} : { typ: options.typ ?? DEFAULTS.jwt.typ }),
  }
  const allowUserTokens = options.allowUserTokens === true
  const verifier = async function verifyJwtAccessToken(token: string): Promise<AccessTokenInfo | null> {
    try {
      const { payload } = await jwtVerify(token, key, verifyOptions)
      const { client_id: clientId, sub, scope } = payload
      if (typeof clientId !== 'string') return null
      // RFC 9068 §2.2: without a user, sub names the client; any other sub is a user's token.
      if (!allowUserTokens && sub !== clientId) return null
      return { clientId, scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [] }
    } catch (err) {
      if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || !(err instanceof errors.JOSEError)) {
        throw new ProblemError('token-verification-unavailable', {
          detail: 'The signing keys of the token issuer could not be fetched. Retry shortly.',
          headers: { 'Retry-After': '5' },
          cause: err,
        })
      }
      return null
    }
  }
  inMemory.add(verifier)
  return verifier
}
