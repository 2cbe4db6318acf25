import type {
  AccessTokenOptions,
  AuthcodeLogger,
  AuthcodeOptions,
  ClientOptions,
  RateLimitRule,
  RedisConnection,
} from '../../types/options.js'
import type { CodeStore } from '../../types/store.js'
import { DEFAULTS } from '../defaults.js'
import { AuthcodeOptionsError } from '../errors/options-error.js'
import { checkAcrossOptions } from './cross-checks.js'
import { RedisStore } from '../stores/redis-store.js'
import { Telemetry } from '../telemetry/telemetry.js'
import { tracedStore } from '../telemetry/traced-store.js'
import { describeFault, faultCode } from './describe-fault.js'
import { mountPolicy, type MountedEndpoints } from './mount-policy.js'
import { atRestKeyBytes, optionsSchema } from './schema.js'

/** Names of the limits in `options.rateLimit`. */
export type LimitName = keyof typeof DEFAULTS.rateLimit

/** Options after validation and defaults: what every endpoint reads, built once. */
export interface ResolvedOptions extends Omit<AuthcodeOptions, 'clients' | 'rateLimit' | 'redis' | 'atRestKey' | 'otp'> {
  store: CodeStore
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
  logger: AuthcodeLogger
  /** One-time passcodes of `POST /codes`, or `false` when they are off. */
  otp: Required<Exclude<AuthcodeOptions['otp'], false | undefined>> | false
  /** The `atRestKey` option as bytes; `false` when the host opted out, `undefined` on a `MemoryStore` without one. */
  atRestKey: Buffer | false | undefined
  /** Which endpoints are mounted. */
  mounted: MountedEndpoints
  /** The router's instruments and tracer (SPEC §9); `store` reports to it. */
  telemetry: Telemetry
}

type Validated = AuthcodeOptions &
  Required<Pick<AuthcodeOptions, 'keyPrefix' | 'idempotencyTtl' | 'singleActiveCode' | 'captureClockSkew' | 'requireState'>>

/** A client with its consent rule decided: native clients need consent unless told otherwise (RFC 8252 §8.6). */
function withConsent(client: ClientOptions): ClientOptions & Required<Pick<ClientOptions, 'consent'>> {
  return { ...client, consent: client.consent ?? (client.applicationType === 'native' ? 'required' : 'implicit') }
}

/**
 * Validates `authcode()` options once and resolves every default.
 * @throws AuthcodeOptionsError naming the option, with a suggestion for a misspelt one; its
 * `code` says which kind of fault it is.
 */
export function resolveOptions(input: unknown): ResolvedOptions {
  const { value, error } = optionsSchema.validate(input, { abortEarly: true, convert: false })
  if (error) throw new AuthcodeOptionsError(`authcode(): ${describeFault(optionsSchema, error)}`, faultCode(error.details[0]))
  // No Joi default for accessTokens: a default would count as given and clash with verifyAccessToken.
  const options = value as Validated
  const clients = new Map(options.clients.map((c) => [c.id, withConsent(c)]))
  const mounted = mountPolicy(options)
  checkAcrossOptions(options, clients, mounted)
  const { redis, rateLimit, session, ...rest } = options
  const telemetry = new Telemetry()
  return {
    ...rest,
    accessTokens: options.accessTokens ?? [],
    // Joi's xor guarantees exactly one of store and redis.
    store: tracedStore(
      options.store ??
        new RedisStore({
          client: redis as RedisConnection,
          prefix: options.keyPrefix,
          ...(options.durability ? { durability: options.durability } : {}),
        }),
      telemetry,
    ),
    telemetry,
    baseUrl: options.issuer.replace(/\/+$/, ''),
    clients,
    userKey: session?.userKey ?? DEFAULTS.sessionUserKey,
    rateLimit:
      rateLimit === false
        ? { perClient: false, perSubject: false, perIp: false, failedAuth: false }
        : { ...DEFAULTS.rateLimit, ...rateLimit },
    logger: options.logger ?? console,
    atRestKey: options.atRestKey === false ? false : atRestKeyBytes(options.atRestKey),
    otp: options.otp === false ? false : { ...DEFAULTS.otp, ...options.otp },
    mounted,
  }
}
