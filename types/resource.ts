import type { RequestHandler, Response, Router } from 'express'

/**
 * One public key of the router's JWK Set: the members of its key type (`crv`, `x`, `y` for EC;
 * `crv`, `x` for OKP; `n`, `e` for RSA), never a private one.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 */
export interface PublicJsonWebKey {
  readonly kty: 'EC' | 'OKP' | 'RSA'
  /** The `kid` the tokens name: the one given, else the RFC 7638 thumbprint of the key. */
  readonly kid: string
  /** The one algorithm the key signs with (`ES256`, `EdDSA`, `RS256`, …). */
  readonly alg: string
  readonly use: 'sig'
  readonly crv?: string
  readonly x?: string
  readonly y?: string
  readonly n?: string
  readonly e?: string
}

/**
 * `auth.jwks`, also served at `<issuer>/jwks`: the keys a resource server verifies the router's
 * access tokens with.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export interface JsonWebKeySet {
  readonly keys: readonly PublicJsonWebKey[]
}

/** What `auth.protectedResource()` is given. */
export interface ProtectedResourceOptions {
  /**
   * The resource identifier of the API: an absolute `https:` URL (`http:` only for localhost),
   * without query or fragment, exactly as clients send it as `resource` (RFC 8707). A token is
   * accepted only when its `aud` names it.
   * @see https://www.rfc-editor.org/rfc/rfc9728#section-1.2
   */
  resource: string
  /** The scopes the API understands, published as `scopes_supported`. */
  scopes?: readonly string[]
}

/**
 * The RFC 9728 document of a protected resource.
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-2
 */
export interface ProtectedResourceMetadata {
  resource: string
  /** The router's `issuer`, the one authorization server whose tokens the resource accepts. */
  authorization_servers: string[]
  scopes_supported?: string[]
  /** Only `header`: a token in a form body or a query is not read. */
  bearer_methods_supported: string[]
}

/**
 * The claims of an access token `requireBearer` verified: the RFC 9068 claims the router's
 * `jwtAccessTokenIssuer` mints.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2
 */
export interface AccessTokenClaims {
  iss: string
  /** The user the token was issued for. */
  sub: string
  aud: string | string[]
  client_id: string
  /** Space-separated. */
  scope?: string
  auth_time?: number
  jti: string
  iat: number
  exp: number
  /** The DPoP key the token is bound to. @see https://www.rfc-editor.org/rfc/rfc9449#section-6.1 */
  cnf?: { jkt?: string }
  [claim: string]: unknown
}

/**
 * What `requireBearer` sets as `req.auth` (the shape of the MCP SDK's `AuthInfo`, so that its
 * Streamable HTTP transport hands it to tools as `authInfo`) and `authInfo(res)` reads.
 */
export interface ResourceAuthInfo {
  /** The access token as presented. */
  token: string
  clientId: string
  /** The token's `scope`, split. */
  scopes: string[]
  /** The token's `exp` (epoch seconds). */
  expiresAt: number
  /** The protected resource's identifier, which the token's `aud` names. */
  resource: URL
  extra: { subject: string; claims: AccessTokenClaims }
}

/**
 * What `auth.protectedResource()` returns: a router to mount at the app's root (it serves the
 * RFC 9728 document at its path-inserted well-known URL) and the middleware that guards the API.
 */
export interface ProtectedResource extends Router {
  /** The `resource` it was built for. */
  readonly resource: string
  /** The RFC 9728 document it serves. */
  readonly metadata: ProtectedResourceMetadata
  /** The absolute URL of that document, as the 401 challenges name it in `resource_metadata`. */
  readonly metadataUrl: string
  /**
   * The middleware that admits a request with a valid `Authorization: Bearer` access token of
   * this router for this resource holding every scope of `scopes`, and sets `req.auth`. No
   * token, or a bad one (signature, `iss`, `typ`, `exp`, an `aud` without this resource, a
   * DPoP-bound token sent as Bearer) → 401 with `WWW-Authenticate: Bearer resource_metadata="…"`
   * (and `error="invalid_token"` when a token was sent); a missing scope → 403
   * `error="insufficient_scope"`. A DPoP-bound token is taken as `Authorization: DPoP <token>`
   * with a `DPoP` proof of its key for this request (`htm`, `htu` on the resource's origin, `ath`,
   * a `jti` seen once); a refusal of it is a 401 with a `WWW-Authenticate: DPoP` challenge.
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
   * @see https://www.rfc-editor.org/rfc/rfc9728#section-5.1
   * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
   */
  requireBearer(scopes?: readonly string[]): RequestHandler
  /** What `requireBearer` verified for this request, or `undefined` before it (or without it). */
  authInfo(res: Response): ResourceAuthInfo | undefined
}
