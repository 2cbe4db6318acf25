import { randomUUID, type KeyObject } from 'node:crypto'
import { SignJWT, type JWK } from 'jose'
import type { Grant } from '../../../types/grant.js'
import type { TokenResponse } from '../../../types/options.js'
import type { JsonWebKeySet } from '../../../types/resource.js'
import { DEFAULTS } from '../../defaults.js'
import { InvalidTargetError } from '../../errors/oauth.js'
import { AuthcodeOptionsError, OPTIONS_ERROR_CODES } from '../../errors/options-error.js'
import { MisconfigurationError } from '../../errors/problems.js'
import { signingKey, type SigningKey } from './signing-key.js'
import type { IssueTokens } from './tokens.js'

/** Options of {@link jwtAccessTokenIssuer}: the key the tokens are signed with and how long they live. */
export interface JwtAccessTokenIssuerOptions {
  /**
   * An EC (P-256, P-384, P-521), Ed25519 or RSA (≥ 2048 bits) private key: a node:crypto
   * `KeyObject` or a private JWK. The `alg` follows from it (ES256/384/512, EdDSA, RS256).
   */
  privateKey: KeyObject | JWK
  /** The `kid` of the tokens and of the published key. @default the JWK's `kid`, else its RFC 7638 thumbprint */
  kid?: string
  /** Seconds a token lives (`exp`, `expires_in`). @default {@link DEFAULTS.jwtIssuer.ttl} (3600) */
  ttl?: number
}

/** What a router built from its {@link jwtAccessTokenIssuer}: the `issueTokens` that knows its issuer, and what verifies the tokens. */
export interface AccessTokenSigner {
  readonly issuer: string
  readonly issueTokens: IssueTokens
  readonly publicKey: KeyObject
  readonly alg: string
  readonly jwks: JsonWebKeySet
}

interface IssuerSetup {
  readonly key: SigningKey
  readonly ttl: number
}

/** The issuers {@link jwtAccessTokenIssuer} made, with their key: `authcode()` finds them here and binds them to its `issuer`. */
const setups = new WeakMap<object, IssuerSetup>()

const OPTION_NAMES = new Set(['privateKey', 'kid', 'ttl'])

/**
 * An `issueTokens` that mints RFC 9068 JWT access tokens signed with `privateKey`: header
 * `typ: at+jwt`, `alg` of the key and `kid`; claims `iss` (the router's `issuer`), `sub`, `aud`
 * (the grant's resources: a string for one, an array for several), `client_id`, `scope`,
 * `auth_time` when known, `jti`, `iat`, `exp` and, for a grant bound to a DPoP key,
 * `cnf.jkt` (then `token_type: DPoP`). A grant without a resource is refused with
 * `invalid_target`: RFC 9068 §3 requires an audience, and no resource server should take a
 * token meant for no one (set `defaultResource`, or have clients send `resource`). Give it to
 * `authcode()` as `issueTokens` itself: the router binds it to its `issuer`, publishes its key
 * as `auth.jwks` and at `<issuer>/jwks`, and verifies its tokens in `auth.protectedResource()`.
 * Called outside a router (wrapped in another function), it rejects.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-3
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-6.1
 * @throws AuthcodeOptionsError for a public, symmetric or unsupported key, an unknown option, or a bad `kid` or `ttl`.
 */
export function jwtAccessTokenIssuer(options: JwtAccessTokenIssuerOptions): IssueTokens {
  if (options === null || typeof options !== 'object') throw new TypeError('jwtAccessTokenIssuer(): give { privateKey }')
  const unknown = Object.keys(options).find((name) => !OPTION_NAMES.has(name))
  if (unknown !== undefined) {
    throw new AuthcodeOptionsError(
      `jwtAccessTokenIssuer(): unknown option "${unknown}" (it takes privateKey, kid, ttl)`,
      OPTIONS_ERROR_CODES.unknown,
    )
  }
  if (options.privateKey === undefined) {
    throw new AuthcodeOptionsError('jwtAccessTokenIssuer(): "privateKey" is required', OPTIONS_ERROR_CODES.missing)
  }
  const ttl = options.ttl ?? DEFAULTS.jwtIssuer.ttl
  if (!Number.isSafeInteger(ttl) || ttl <= 0) {
    throw new AuthcodeOptionsError('jwtAccessTokenIssuer(): "ttl" must be a positive whole number of seconds', OPTIONS_ERROR_CODES.invalid)
  }
  const key = signingKey(options.privateKey, options.kid)
  const unbound = async function issueJwtAccessToken(): Promise<TokenResponse> {
    throw new MisconfigurationError(
      'jwtAccessTokenIssuer() was called outside authcode(): give it as the issueTokens option itself, so the router binds it to its issuer.',
    )
  }
  setups.set(unbound, { key, ttl })
  return unbound
}

/**
 * The audience of a grant's token: its one resource, or all of them; for a grant without one (a
 * Capture code), the router's `defaultResource`. @throws InvalidTargetError for none.
 */
function audienceOf(grant: Grant, defaultResource: string | undefined): string | string[] {
  const [first, ...others] = grant.resource ?? (defaultResource === undefined ? [] : [defaultResource])
  if (first === undefined) {
    throw new InvalidTargetError('This server issues access tokens for a resource only: send resource (RFC 8707).')
  }
  return others.length === 0 ? first : [first, ...others]
}

function bind(issuer: string, { key, ttl }: IssuerSetup, defaultResource: string | undefined): IssueTokens {
  return async function issueJwtAccessToken(grant: Grant): Promise<TokenResponse> {
    const audience = audienceOf(grant, defaultResource)
    const now = Math.floor(Date.now() / 1000)
    const claims = {
      client_id: grant.clientId,
      ...(grant.scope === undefined ? {} : { scope: grant.scope }),
      ...(grant.authTime === undefined ? {} : { auth_time: grant.authTime }),
      ...(grant.dpopJkt === undefined ? {} : { cnf: { jkt: grant.dpopJkt } }),
    }
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, typ: DEFAULTS.jwt.typ, kid: key.kid })
      .setIssuer(issuer)
      .setSubject(grant.subject)
      .setAudience(audience)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .sign(key.privateKey)
    return {
      access_token: accessToken,
      token_type: grant.dpopJkt === undefined ? 'Bearer' : 'DPoP',
      expires_in: ttl,
      ...(grant.scope === undefined ? {} : { scope: grant.scope }),
    }
  }
}

/**
 * The signer of a router whose `issueTokens` is a {@link jwtAccessTokenIssuer}, bound to its
 * `issuer` (and its `defaultResource`, the audience of grants without a resource); `undefined`
 * for any other `issueTokens` (or none).
 */
export function accessTokenSignerFor(
  issueTokens: IssueTokens | undefined,
  issuer: string,
  defaultResource?: string,
): AccessTokenSigner | undefined {
  const setup = issueTokens && setups.get(issueTokens)
  if (setup === undefined) return undefined
  const { publicKey, alg, jwk } = setup.key
  return { issuer, issueTokens: bind(issuer, setup, defaultResource), publicKey, alg, jwks: Object.freeze({ keys: Object.freeze([jwk]) }) }
}
