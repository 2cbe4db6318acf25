import type { Request } from 'express'
import type { ObjectSchema } from 'joi'
import type { Grant } from './grant.js'
import type { CodeStore } from './store.js'

/** Capture API roles; `owner`, `access_issuer` and `direct_access` may issue codes. */
export type CaptureRole = 'owner' | 'access_issuer' | 'direct_access' | 'direct_read_access' | 'login_client'

/** A registered client. With no `secret` it is a public client (PKCE only). */
export interface ClientOptions {
  id: string
  /** Confidential clients authenticate with it (compared in constant time). */
  secret?: string
  /** Exact redirect URIs; `/authorize` and `/token` compare strings, never prefixes. */
  redirectUris?: string[]
  /** Scopes the client may ask for at `/authorize`. */
  scopes?: string[]
  /** Roles for Capture's `getAuthorizationCode`. */
  captureRoles?: CaptureRole[]
  /** Name of an entry of `integrations` whose schema checks this client's `integration_context`. */
  integration?: string
  /**
   * `native` clients may use loopback `http:` redirect URIs with any port.
   * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
   * @default 'web'
   */
  applicationType?: 'web' | 'native'
}

/** A static bearer token held by a back-end service. */
export interface AccessTokenOptions {
  token: string
  clientId: string
  scopes: string[]
}

/** What a verified bearer token says about its holder. */
export interface AccessTokenInfo {
  clientId: string
  scopes: string[]
}

/** A Capture user lookup, as given to `getAuthorizationCode`: exactly one of `uuid`, `id`, or `keyAttribute` + `keyValue`. */
export interface FindUserQuery {
  uuid?: string
  id?: string
  keyAttribute?: string
  /** `key_value`; a JSON-quoted string (`"jane@example.com"`, as Capture clients send strings) arrives unquoted. */
  keyValue?: string
  /** `type_name`. @default 'user' */
  typeName: string
}

/** A limit of `limit` hits per `windowMs` milliseconds. */
export interface RateLimitRule {
  limit: number
  windowMs: number
}

/** Overrides of the default limits; `false` turns one off. */
export interface RateLimitOptions {
  /** Per client on `POST /codes` and `getAuthorizationCode`. @default 600 per minute */
  perClient?: RateLimitRule | false
  /** Per (client, external_user_id) on `POST /codes`. @default 5 per 15 minutes */
  perSubject?: RateLimitRule | false
  /** Per IP on `/authorize` and `/token`. @default 60 per minute */
  perIp?: RateLimitRule | false
}

/** The JSON a token endpoint answers with. */
export interface TokenResponse {
  access_token: string
  token_type: string
  expires_in?: number
  refresh_token?: string
  scope?: string
  [extra: string]: unknown
}

/**
 * A connected node-redis connection: `createClient()`, `createCluster()` or `createSentinel()`.
 * Structural, so the library needs no type from `redis` when a `store` is used instead.
 */
export interface RedisConnection {
  // node-redis' three kinds take different argument lists; the store adapts to each.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sendCommand(...args: any[]): Promise<unknown>
}

/**
 * Where the router reports what it notices: structured fields first, then a stable message, as
 * pino and bunyan take them (`console` fits too). Nothing it logs carries a code, secret,
 * token or raw subject.
 */
export interface AuthcodeLogger {
  error(fields: object, message?: string): void
  warn(fields: object, message?: string): void
  info?(fields: object, message?: string): void
}

/** Options of `authcode()`. Validated once; an unknown or bad option throws there. */
export interface AuthcodeOptions {
  /** A connected node-redis client, Sentinel or cluster; required unless `store`. The library never closes it. */
  redis?: RedisConnection
  /** A {@link CodeStore}, e.g. `new MemoryStore()`; replaces `redis`. */
  store?: CodeStore
  /** Prefix of every Redis key. @default 'authcode:' */
  keyPrefix?: string
  /**
   * Absolute URL of the mount point: `https:` (or `http:` on a loopback host), no query or fragment.
   * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
   */
  issuer: string
  clients: ClientOptions[]
  accessTokens?: AccessTokenOptions[]
  /** Resolves a bearer token to its holder, or `null`; replaces `accessTokens`. */
  verifyAccessToken?: (token: string) => Promise<AccessTokenInfo | null> | AccessTokenInfo | null
  /** Where `/authorize` finds the signed-in user's id in `req.session` (express-session). @default { userKey: 'userId' } */
  session?: { userKey?: string }
  /** Finds the signed-in user's id, or `null` for nobody; replaces `session.userKey`. With it or `loginUrl`, `/authorize` is mounted. */
  getUser?: (req: Request) => Promise<string | null | undefined> | string | null | undefined
  /**
   * Where `/authorize` sends a browser with nobody signed in: a path on this host (`/login`) or an
   * absolute URL. `return_to`, the relative `/authorize` URL to come back to, is appended; check
   * that it is a same-host path before redirecting to it. With it or `getUser`, `/authorize` is mounted.
   */
  loginUrl?: string
  /** Resolves a Capture user lookup to the user's id, or `null`; `getAuthorizationCode` is mounted only with it, `/oauth/token` with it and `issueTokens`. */
  findUser?: (query: FindUserQuery) => Promise<string | null> | string | null
  /** Mints the `/token` (and Capture's `/oauth/token`) response for a redeemed grant; without it neither is mounted. */
  issueTokens?: (grant: Grant) => Promise<TokenResponse> | TokenResponse
  /** Base URL of the host's magic-link landing page; responses then carry `magic_link`. */
  magicLinkUrl?: string
  /** Per-integration validation of `integration_context`. */
  integrations?: Record<string, { schema?: ObjectSchema }>
  /** `false`, or overrides of the default limits. */
  rateLimit?: false | RateLimitOptions
  /** Where the router logs (start-up warnings, failed requests). @default console */
  logger?: AuthcodeLogger
  /** Seconds an idempotency record is kept. @default 86400 */
  idempotencyTtl?: number
  /**
   * Seconds a janrain-signed request's `Date` may be from the server clock (either way) on
   * `getAuthorizationCode` and `/oauth/token`; each signature is accepted once inside that window. 1–3600.
   * @default 300
   */
  captureClockSkew?: number
  /**
   * A new `POST /codes` code for a user revokes the live codes issued before it to that
   * user by the same client, so only the latest magic link works.
   * @default false
   */
  singleActiveCode?: boolean
}
