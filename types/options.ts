import type { ClientIdMetadataDocumentOptions, DynamicRegistrationOptions } from './clients.js'
import type { Request, Response } from 'express'
import type { AuthcodeError } from '../lib/errors/authcode-error.js'
import type { Grant } from './grant.js'
import type { CodeStore } from './store.js'

/** Capture API roles; `owner`, `access_issuer` and `direct_access` may issue codes. */
export type CaptureRole = 'owner' | 'access_issuer' | 'direct_access' | 'direct_read_access' | 'login_client'

/** A registered client. With no `secret` it is a public client (PKCE only). */
export interface ClientOptions {
  id: string
  /** What the consent page calls the client (`auth.describeClient()`). */
  name?: string
  /** The client's home page, for the consent page. */
  uri?: string
  /** The client's logo, for the consent page. */
  logoUri?: string
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
   * `native` clients may register loopback `http:` redirect URIs (`127.0.0.1`, `[::1]` or
   * `localhost`), each matching any port at request time.
   * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
   * @default 'web'
   */
  applicationType?: 'web' | 'native'
  /**
   * Whether `/authorize` issues a code only after the user approved this client on the host's
   * `consentUrl` page:
   * - `'required'`: the user is asked on **every** authorization request, and an approval
   *   answers only the request it was given for. Any local program can claim a native client's
   *   loopback or private-use redirect URI, so an earlier approval does not prove it is the same
   *   program (RFC 8252 §8.6).
   * - `'remember'`: an approval is kept in the user's session for that client and scope. Web
   *   clients with `https:` redirect URIs only: `authcode()` refuses it for a native client and
   *   for one with an `http:` loopback or private-use redirect URI, which a local program can
   *   claim as well.
   * - `'implicit'`: no consent page, unless the request says `prompt=consent`.
   * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.6
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.2
   * @default 'required' for `applicationType: 'native'` and for a client with a redirect URI that
   * is not `https:`, else 'implicit'
   */
  consent?: 'required' | 'remember' | 'implicit'
  /**
   * The RFC 8707 resource indicators (absolute URIs) the client may ask a code for at
   * `/authorize`; without it, any.
   * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
   */
  resources?: string[]
  /**
   * `/authorize` takes this client's requests only as pushed authorization requests (`POST /par`
   * first, then `request_uri`), so their parameters never travel through the browser.
   * @see https://www.rfc-editor.org/rfc/rfc9126#section-6
   * @default false
   */
  requirePar?: boolean
  /**
   * `false`: this client gets no refresh token at a code exchange even when the router's
   * `refreshTokens` is on (e.g. a back-end that signs in once per visit).
   * @default on whenever the router's `refreshTokens` is
   */
  refreshTokens?: false
}

/**
 * Lifetimes of the refresh tokens the router mints and rotates, in whole seconds.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export interface RefreshTokenOptions {
  /** Seconds a refresh token lives unused; each rotation starts them again (≥ 1). @default 1209600 (14 days) */
  idleTtl?: number
  /** Seconds a family lives at most from its code exchange, however often it rotates (≥ 1). @default 7776000 (90 days) */
  maxLifetime?: number
  /**
   * Seconds after a rotation within which the rotated token, presented again, is refused without
   * revoking its family (a client retrying a refresh whose answer it lost); past them it is a
   * replay, and the whole family is revoked. @default 0
   */
  reuseInterval?: number
}

/**
 * How DPoP proofs are checked (`dpop`).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */
export interface DpopOptions {
  /**
   * The JWS `alg`s a proof may be signed with: asymmetric ones (`ES256`, `ES384`, `ES512`, `EdDSA`,
   * `Ed25519`, `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512`); `none` and `HS*` are refused
   * at `authcode()`. Listed as `dpop_signing_alg_values_supported` in the metadata.
   * @default ['ES256', 'EdDSA', 'RS256', 'PS256']
   */
  algorithms?: string[]
  /**
   * Seconds a proof's `iat` may be from the server clock, either way (1–300); its `jti` is
   * remembered in the store until `iat` plus these seconds has passed, so a replayed proof is
   * refused by every process.
   * @default 60
   */
  skewSeconds?: number
}

/**
 * What a consent page shows of a client, from `auth.describeClient()`: only what the host
 * registered (or, for a client by URL, what its metadata document says), never what the
 * authorization request claims.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.6
 */
export interface ClientDescription {
  id: string
  name?: string
  uri?: string
  logoUri?: string
  /**
   * The hosts the client's codes are sent to: the host of each redirect URI (`127.0.0.1`,
   * `localhost` or `[::1]` for a loopback one, whatever the port), or the scheme of a
   * private-use one (`com.example.app:`); each once.
   */
  redirectHosts: string[]
  /** Whether the client arrived by its Client ID Metadata Document (its `id` is the document's URL). */
  metadataDocument: boolean
}

/** A Joi schema of any major: validated through its own `validate`, unknown keys allowed. */
export interface JoiLikeSchema {
  validate(
    value: unknown,
    options?: object,
  ): { value?: unknown; error?: { details: ReadonlyArray<{ message: string; path: ReadonlyArray<string | number> }> } | null }
  describe(): unknown
}

/** What a Standard Schema validator answers. @see https://standardschema.dev */
export type StandardSchemaResult =
  | { readonly value: unknown; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{
        readonly message: string
        readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>
      }>
    }

/** A Standard Schema v1 validator (zod, valibot, arktype, …). @see https://standardschema.dev */
export interface StandardSchemaV1Like {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    validate(value: unknown): StandardSchemaResult | Promise<StandardSchemaResult>
  }
}

/** A schema of an integration's `integration_context`. */
export type IntegrationSchema = JoiLikeSchema | StandardSchemaV1Like

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
  /** Per IP on `/authorize`, `/token` and `/oauth/token`. @default 60 per minute */
  perIp?: RateLimitRule | false
  /**
   * Per IP: failed client or bearer authentications at `POST /codes`, `getAuthorizationCode`
   * and the token endpoints, counted before the credentials are checked, so no burst of
   * guesses outruns it. @default 30 per 15 minutes
   */
  failedAuth?: RateLimitRule | false
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
 * A connected Redis connection: node-redis' `createClient()`, `createCluster()` or
 * `createSentinel()`, or an ioredis `Redis` (with or without `sentinels`) or `Cluster`.
 * Structural, so the library needs no type from `redis` or `ioredis` when a `store` is used instead.
 */
export type RedisConnection = NodeRedisConnection | IoredisConnection

/** node-redis (v5+): its three kinds take different argument lists; the store adapts to each. */
export interface NodeRedisConnection {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sendCommand(...args: any[]): Promise<unknown>
}

/** ioredis (v5+): raw commands go through `call`; `status` tells it from node-redis. */
export interface IoredisConnection {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(...args: any[]): Promise<unknown>
  readonly status: string
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
  /** A connected node-redis or ioredis client, Sentinel or cluster; required unless `store`. The library never closes it. */
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
   * absolute URL. `return_to`, the relative `/authorize` URL to come back to (exactly the
   * request's path and query), is appended; check that it is a same-host path before redirecting
   * to it. With it or `getUser`, `/authorize` is mounted.
   */
  loginUrl?: string
  /** Resolves a Capture user lookup to the user's id, or `null`; `getAuthorizationCode` is mounted only with it, `/oauth/token` with it and `issueTokens`. */
  findUser?: (query: FindUserQuery) => Promise<string | null> | string | null
  /** Mints the `/token` (and Capture's `/oauth/token`) response for a redeemed grant; without it neither is mounted. */
  issueTokens?: (grant: Grant) => Promise<TokenResponse> | TokenResponse
  /**
   * The router mints and rotates refresh tokens: every code exchange at `/token` and
   * `/oauth/token` adds a `refresh_token` of its own (replacing one `issueTokens` returns),
   * `grant_type=refresh_token` consumes it and answers its successor, a rotated token presented
   * again revokes its whole family, and `POST /revoke` is mounted. `true` takes the default
   * lifetimes. Needs a store that keeps refresh tokens (`RedisStore`, `MemoryStore`).
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
   * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
   * @default off; when on, { idleTtl: 1209600, maxLifetime: 7776000, reuseInterval: 0 }
   */
  refreshTokens?: boolean | RefreshTokenOptions
  /** Base URL of the host's magic-link landing page; responses then carry `magic_link`. */
  magicLinkUrl?: string
  /** Per-integration validation of `integration_context`: a Joi schema of any major, or any Standard Schema v1 validator. */
  integrations?: Record<string, { schema?: IntegrationSchema }>
  /**
   * `/authorize` refuses a request without `state`. `false` lets PKCE clients rely on PKCE for
   * CSRF protection, as openid-client's documented flow does.
   * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1
   * @default true
   */
  requireState?: boolean
  /**
   * The host's consent page: `/authorize` sends the browser there (with `return_to`,
   * `client_id` and `scope`) when a client needs the user's approval; the page shows
   * `auth.describeClient(client_id)`, calls `auth.grantConsent()` or `auth.denyConsent()` with
   * `returnTo` and sends the browser back to `return_to`. Required when a client needs consent.
   */
  consentUrl?: string
  /**
   * When the signed-in user last authenticated (a `Date` or epoch seconds), for `prompt=login`
   * and `max_age` (answered by a sign-in after `/authorize` sent the browser to `loginUrl`), and
   * carried by the code as `grant.authTime`; without it, such requests get `login_required`.
   * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
   */
  getAuthTime?: (req: Request) => Promise<Date | number | null | undefined> | Date | number | null | undefined
  /**
   * Renders the host's own HTML page for the `/authorize` errors that must not redirect (an
   * unknown client or redirect URI): `error.status`, `error.code` and `error.description` say
   * what went wrong, none of it taken from the request.
   * @default a plain built-in page
   */
  renderErrorPage?: (error: AuthcodeError, req: Request, res: Response) => void | Promise<void>
  /** `false`, or overrides of the default limits. */
  rateLimit?: false | RateLimitOptions
  /**
   * A 32-byte secret (a Buffer, or its base64url text) mixed into every derivation of what the
   * store keeps: code ids, record keys, Idempotency-Key records, hashed user and IP keys. A dump
   * of Redis alone then opens nothing, even for a guessed Idempotency-Key or passcode, and names
   * nobody. It also keys the MACs of the router's own cookies (the `/authorize` round trip, the
   * landing page's CSRF and binding cookies), so every process must share it. Keep it out of Redis.
   *
   * Required unless `store` is a `MemoryStore`, as express-session requires `secret`; make one with
   * `node -e "console.log(crypto.randomBytes(32).toString('base64url'))"`. `false` opts out (one
   * warning at start): key names are then bare hashes anyone can try guesses against, a dump lets
   * someone try a live passcode offline, and cookie MACs use a key of this process only.
   */
  atRestKey?: Buffer | string | false
  /**
   * After every write single use or revocation depends on (a consumption, a signature claim, an
   * idempotent answer, a revocation, a `singleActiveCode` or passcode replacement, a passcode
   * failure count, a refresh-token rotation or family revocation), wait until `replicas` replicas acknowledged it (Redis `WAIT`, at most
   * `timeoutMs`), else answer 503 (or reject the API call, e.g. `auth.revokeCodes()`): a failover
   * to a replica then cannot bring a consumed or revoked code back, nor hand out guesses again.
   * Only with `redis`; the wait holds the connection, so keep `timeoutMs` short. @default off
   */
  durability?: { replicas: number; timeoutMs: number }
  /**
   * One-time passcodes `POST /codes` issues with `otp: true`: `length` decimal digits (4–10),
   * and `maxAttempts` wrong ones (1–10) before the grant burns. Wrong passcodes also count per
   * (client, user) across grants: past `maxFailuresPerWindow` (1–1000) in `windowSeconds`
   * (1–86400, from the first one counted), every passcode of that user is refused and its live
   * one burned until the window ends, so asking for a new passcode buys no new guesses. `false`
   * turns passcodes off.
   * @default { length: 6, maxAttempts: 5, maxFailuresPerWindow: 10, windowSeconds: 900 }
   */
  otp?: false | { length?: number; maxAttempts?: number; maxFailuresPerWindow?: number; windowSeconds?: number }
  /** Where the router logs (start-up warnings, failed requests). @default console */
  logger?: AuthcodeLogger
  /**
   * Clients that arrive by URL: a `client_id` that is an `https:` URL with a path names its own
   * metadata document, fetched only from public addresses (unless its host is in `allowHosts`),
   * checked and cached in the store. Such clients are public and asked for consent on every
   * request. `true` takes the defaults. @default off
   * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/
   */
  clientIdMetadataDocuments?: boolean | ClientIdMetadataDocumentOptions
  /**
   * RFC 7591 `POST /register` for public clients, kept in the store for `ttl` and asked for
   * consent on every request. `true` takes the defaults. @default off
   * @see https://www.rfc-editor.org/rfc/rfc7591
   */
  dynamicRegistration?: boolean | DynamicRegistrationOptions
  /**
   * The RFC 8707 resource an authorization request without `resource` is bound to when its client
   * lists no single one of its own (`clients[].resources`): e.g. the MCP server, for clients that
   * arrive by URL or registration and for those that send no `resource`.
   * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
   */
  defaultResource?: string
  /**
   * Pushed authorization requests (`POST /par`, mounted with `/authorize`): `required` refuses
   * `/authorize` without `request_uri` for every client (`clients[].requirePar` for one), and a
   * `request_uri` must be first used within `ttl` seconds (10–600).
   * @see https://www.rfc-editor.org/rfc/rfc9126
   * @default { required: false, ttl: 60 }
   */
  par?: { required?: boolean; ttl?: number }
  /**
   * How `/token` checks DPoP proofs, which it always takes (SPEC §3.3c): the asymmetric `alg`s a
   * proof may be signed with (never `none` or HMAC), and the seconds (1–300) its `iat` may be from
   * the server clock either way.
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-5.1
   * @default { algorithms: ['ES256', 'EdDSA', 'RS256', 'PS256'], skewSeconds: 60 }
   */
  dpop?: DpopOptions
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
