/**
 * Every default of the library in one literal: the option schema applies these, the stores
 * fall back to them, and the TSDoc `@default` tags quote them.
 */
export const DEFAULTS = {
  /** Prefix of every Redis key. */
  keyPrefix: 'authcode:',
  /** Seconds an idempotency record is kept. */
  idempotencyTtl: 86_400,
  /** Seconds a janrain-signed `Date` may be off the server clock. */
  captureClockSkew: 300,
  /** Whether a new `POST /codes` code for a user revokes that user's earlier live ones. */
  singleActiveCode: false,
  /** Where `/authorize` finds the signed-in user's id in `req.session`. */
  sessionUserKey: 'userId',
  /** `/authorize` refuses a request without `state`. */
  requireState: true,
  /** A client's `applicationType`. */
  applicationType: 'web',
  /** Capture's `type_name` when a request gives none. */
  captureTypeName: 'user',
  /** The limits of SPEC §8. */
  rateLimit: {
    perClient: { limit: 600, windowMs: 60_000 },
    perSubject: { limit: 5, windowMs: 15 * 60_000 },
    perIp: { limit: 60, windowMs: 60_000 },
    failedAuth: { limit: 30, windowMs: 15 * 60_000 },
  },
  /** Lifetimes of codes, in seconds. */
  ttl: {
    /** `POST /codes` `ttl` when not given, and its range. */
    magicLink: 300,
    magicLinkMin: 60,
    magicLinkMax: 900,
    /** A code from `/authorize`: enough for one redirect and one token request. */
    authorize: 60,
    /** Capture `lifetime` when not given, and its maximum. */
    capture: 30,
    captureMax: 900,
  },
  /**
   * One-time passcodes of `POST /codes`: digits, wrong ones before the grant burns, and wrong
   * ones a (client, user) may make across grants per window of seconds.
   */
  otp: { length: 6, maxAttempts: 5, maxFailuresPerWindow: 10, windowSeconds: 900 },
  /**
   * Refresh tokens, when `refreshTokens` is on: seconds a token lives unused (each rotation starts
   * them again), seconds a family lives at most, and seconds a rotated token may come back
   * without counting as a replay.
   */
  refreshTokens: { idleTtl: 1_209_600, maxLifetime: 7_776_000, reuseInterval: 0 },
  /**
   * Client ID Metadata Documents, when `clientIdMetadataDocuments` is on: milliseconds a fetch may
   * take, bytes a document may have, and the bounds of the seconds one is cached for.
   */
  clientIdMetadataDocuments: { timeoutMs: 2000, maxBytes: 5120, cacheSeconds: { min: 60, max: 86_400 } },
  /**
   * Dynamic registration, when `dynamicRegistration` is on: seconds a registered client is kept,
   * and registrations per IP.
   */
  dynamicRegistration: { ttl: 30 * 86_400, perIp: { limit: 10, windowMs: 3_600_000 } },
  /**
   * Pushed authorization requests: seconds a `request_uri` has to be used first, and seconds it
   * lasts from then, through the sign-in and consent round trips.
   */
  par: { required: false, ttl: 60, holdSeconds: 600 },
  /**
   * DPoP proofs (RFC 9449): the `alg`s a proof may be signed with, and the seconds its `iat` may be
   * from the server clock either way (its `jti` is kept that long past `iat`).
   */
  dpop: { algorithms: ['ES256', 'EdDSA', 'RS256', 'PS256'], skewSeconds: 60 },
  /** Milliseconds a Redis command (round trip included) may take before the request answers 503. */
  commandTimeoutMs: 1500,
  /** Milliseconds between sweeps of expired entries in a `MemoryStore`. */
  sweepIntervalMs: 60_000,
  /**
   * Milliseconds a claimed Idempotency-Key stays locked if its request dies before answering;
   * it covers the `CodeIssued` handlers (e.g. sending an e-mail), which run while it is held.
   */
  idempotencyLockMs: 30_000,
  /** `jwtAccessTokens()`: accepted `alg`s, required `typ`, and seconds of clock skew. */
  jwt: {
    algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    typ: 'at+jwt',
    clockTolerance: 5,
  },
  /**
   * `jwtAccessTokenIssuer()`: seconds an access token lives (`expires_in`), and seconds `GET /jwks`
   * may be cached (a key the router starts with reaches cached verifiers within it).
   */
  jwtIssuer: { ttl: 3600, jwksMaxAge: 300 },
} as const
