import type {
  AccessTokenOptions,
  AuthcodeLogger,
  AuthcodeOptions,
  ClientOptions,
  RateLimitRule,
  RedisConnection,
  RefreshTokenOptions,
} from '../../types/options.js'
import type { CodeStore } from '../../types/store.js'
import type { MetadataDocumentSettings } from '../clients/document-client.js'
import { DEFAULTS } from '../defaults.js'
import { claimableLocally } from '../engine/redirect-uri.js'
import { AuthcodeOptionsError } from '../errors/options-error.js'
import { checkAcrossOptions } from './cross-checks.js'
import { describeFault, faultCode } from './describe-fault.js'
import { mountPolicy, type MountedEndpoints } from './mount-policy.js'
import { atRestKeyBytes, optionsSchema, type StoreShapes } from './schema.js'

/** Names of the limits in `options.rateLimit`. */
export type LimitName = keyof typeof DEFAULTS.rateLimit

/**
 * Options after validation and defaults: what every endpoint reads, built once. Options only:
 * the services the options name (the store, the logger) are built by `authcode()` and reach the
 * endpoints through the context ({@link ServiceOptions}).
 */
export interface ResolvedOptions extends Omit<
  AuthcodeOptions,
  | 'clients'
  | 'rateLimit'
  | 'redis'
  | 'store'
  | 'durability'
  | 'logger'
  | 'atRestKey'
  | 'otp'
  | 'refreshTokens'
  | 'clientIdMetadataDocuments'
  | 'dynamicRegistration'
  | 'par'
  | 'dpop'
> {
  keyPrefix: string
  /** `issuer` without a trailing slash, for building endpoint URLs. */
  baseUrl: string
  clients: ReadonlyMap<string, ClientOptions & Required<Pick<ClientOptions, 'consent'>>>
  accessTokens: AccessTokenOptions[]
  userKey: string
  rateLimit: Record<LimitName, RateLimitRule | false>
  idempotencyTtl: number
  captureClockSkew: number
  singleActiveCode: boolean
  requireState: boolean
  /** One-time passcodes of `POST /codes`, or `false` when they are off. */
  otp: Required<Exclude<AuthcodeOptions['otp'], false | undefined>> | false
  /** Lifetimes of the refresh tokens the router mints and rotates (seconds), or `false` when it mints none. */
  refreshTokens: Required<RefreshTokenOptions> | false
  /** The `atRestKey` option as bytes; `false` when the host opted out, `undefined` on a `MemoryStore` without one. */
  atRestKey: Buffer | false | undefined
  /** Clients that arrive by the URL of their metadata document, or `false`. */
  clientIdMetadataDocuments: ResolvedMetadataDocuments | false
  /** `POST /register`, or `false`. */
  dynamicRegistration: ResolvedRegistration | false
  /** Pushed authorization requests, with their defaults. */
  par: { required: boolean; ttl: number }
  /** How `/token` checks DPoP proofs, with the defaults. */
  dpop: { algorithms: readonly string[]; skewSeconds: number }
  /** Which endpoints are mounted. */
  mounted: MountedEndpoints
}

/** `clientIdMetadataDocuments` with its defaults. */
export type ResolvedMetadataDocuments = MetadataDocumentSettings

/** `dynamicRegistration` with its defaults. */
export interface ResolvedRegistration {
  initialAccessToken?: string
  ttl: number
  perIp: RateLimitRule | false
}

/** The options that name a service, validated, for `authcode()` to build the services from: exactly one of `store` and `redis`. */
export interface ServiceOptions {
  /** The host's own store. */
  store: CodeStore | undefined
  /** The host's node-redis connection, for a `RedisStore` under `keyPrefix`. */
  redis: RedisConnection | undefined
  durability: AuthcodeOptions['durability']
  /** The host's logger, if it gave one. */
  logger: AuthcodeLogger | undefined
}

type Validated = AuthcodeOptions &
  Required<Pick<AuthcodeOptions, 'keyPrefix' | 'idempotencyTtl' | 'singleActiveCode' | 'captureClockSkew' | 'requireState'>>

/**
 * A client with its consent rule decided: a client whose redirect URIs a local program can
 * claim (a native client, or any with a non-`https:` redirect URI) needs consent unless told
 * otherwise.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.6
 */
function withConsent(client: ClientOptions): ClientOptions & Required<Pick<ClientOptions, 'consent'>> {
  return { ...client, consent: client.consent ?? (claimableLocally(client) ? 'required' : 'implicit') }
}

/**
 * Validates `authcode()` options once and resolves every default; `shapes` tells stores apart
 * for the checks of `redis`, `store` and `atRestKey`.
 * @throws AuthcodeOptionsError naming the option, with a suggestion for a misspelt one; its
 * `code` says which kind of fault it is.
 */
export function resolveOptions(input: unknown, shapes: StoreShapes): { options: ResolvedOptions; services: ServiceOptions } {
  const { value, error } = optionsSchema.validate(input, { abortEarly: true, convert: false, context: shapes })
  if (error) throw new AuthcodeOptionsError(`authcode(): ${describeFault(optionsSchema, error)}`, faultCode(error.details[0]))
  // No Joi default for accessTokens: a default would count as given and clash with verifyAccessToken.
  const options = value as Validated
  const clients = new Map(options.clients.map((c) => [c.id, withConsent(c)]))
  const mounted = mountPolicy(options)
  checkAcrossOptions(options, clients, mounted, shapes)
  const { redis, store, durability, logger, rateLimit, session, clientIdMetadataDocuments, dynamicRegistration, ...rest } = options
  const resolved: ResolvedOptions = {
    ...rest,
    accessTokens: options.accessTokens ?? [],
    baseUrl: options.issuer.replace(/\/+$/, ''),
    clients,
    userKey: session?.userKey ?? DEFAULTS.sessionUserKey,
    rateLimit:
      rateLimit === false
        ? { perClient: false, perSubject: false, perIp: false, failedAuth: false }
        : { ...DEFAULTS.rateLimit, ...rateLimit },
    atRestKey: options.atRestKey === false ? false : atRestKeyBytes(options.atRestKey),
    otp: options.otp === false ? false : { ...DEFAULTS.otp, ...options.otp },
    refreshTokens: options.refreshTokens
      ? { ...DEFAULTS.refreshTokens, ...(options.refreshTokens === true ? {} : options.refreshTokens) }
      : false,
    clientIdMetadataDocuments: metadataDocuments(options.clientIdMetadataDocuments),
    dynamicRegistration: options.dynamicRegistration
      ? { ...DEFAULTS.dynamicRegistration, ...(options.dynamicRegistration === true ? {} : options.dynamicRegistration) }
      : false,
    par: { required: options.par?.required ?? DEFAULTS.par.required, ttl: options.par?.ttl ?? DEFAULTS.par.ttl },
    dpop: { ...DEFAULTS.dpop, ...options.dpop },
    mounted,
  }
  return { options: resolved, services: { store, redis, durability, logger } }
}

function metadataDocuments(option: AuthcodeOptions['clientIdMetadataDocuments']): ResolvedMetadataDocuments | false {
  if (!option) return false
  const given = option === true ? {} : option
  const defaults = DEFAULTS.clientIdMetadataDocuments
  return {
    ...defaults,
    ...given,
    // As URL parsing writes a host, which is what the fetch compares: `[::ffff:127.0.0.1]` is `[::ffff:7f00:1]`.
    allowHosts: (given.allowHosts ?? []).map((host) => URL.parse(`https://${host}/`)?.hostname ?? host),
    cacheSeconds: { ...defaults.cacheSeconds, ...given.cacheSeconds },
  }
}
