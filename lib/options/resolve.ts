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
import { AuthcodeOptionsError, OPTIONS_ERROR_CODES } from '../errors/options-error.js'
import { RedisStore } from '../stores/redis-store.js'
import { Telemetry } from '../telemetry/telemetry.js'
import { tracedStore } from '../telemetry/traced-store.js'
import { describeFault, faultCode } from './describe-fault.js'
import { mountPolicy, type MountedEndpoints } from './mount-policy.js'
import { optionsSchema } from './schema.js'

/** Names of the limits in `options.rateLimit`. */
export type LimitName = keyof typeof DEFAULTS.rateLimit

/** Options after validation and defaults: what every endpoint reads, built once. */
export interface ResolvedOptions extends Omit<AuthcodeOptions, 'clients' | 'rateLimit' | 'redis'> {
  store: CodeStore
  keyPrefix: string
  /** `issuer` without a trailing slash, for building endpoint URLs. */
  baseUrl: string
  clients: ReadonlyMap<string, ClientOptions>
  accessTokens: AccessTokenOptions[]
  userKey: string
  rateLimit: Record<LimitName, RateLimitRule | false>
  idempotencyTtl: number
  captureClockSkew: number
  singleActiveCode: boolean
  logger: AuthcodeLogger
  /** Which endpoints are mounted. */
  mounted: MountedEndpoints
  /** The router's instruments and tracer (SPEC §9); `store` reports to it. */
  telemetry: Telemetry
}

type Validated = AuthcodeOptions & Required<Pick<AuthcodeOptions, 'keyPrefix' | 'idempotencyTtl' | 'singleActiveCode' | 'captureClockSkew'>>

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
  const accessTokens = options.accessTokens ?? []
  const clients = new Map(options.clients.map((c) => [c.id, c]))
  for (const token of accessTokens) {
    if (!clients.has(token.clientId)) {
      throw new AuthcodeOptionsError(
        `authcode(): "accessTokens" names client "${token.clientId}", which is not in "clients"`,
        OPTIONS_ERROR_CODES.reference,
      )
    }
  }
  for (const c of options.clients) {
    if (c.integration !== undefined && !options.integrations?.[c.integration]) {
      throw new AuthcodeOptionsError(
        `authcode(): client "${c.id}" names integration "${c.integration}", which is not in "integrations"`,
        OPTIONS_ERROR_CODES.reference,
      )
    }
  }
  const { redis, rateLimit, session, ...rest } = options
  const telemetry = new Telemetry()
  return {
    ...rest,
    accessTokens,
    // Joi's xor guarantees exactly one of store and redis.
    store: tracedStore(options.store ?? new RedisStore({ client: redis as RedisConnection, prefix: options.keyPrefix }), telemetry),
    telemetry,
    baseUrl: options.issuer.replace(/\/+$/, ''),
    clients,
    userKey: session?.userKey ?? DEFAULTS.sessionUserKey,
    rateLimit: rateLimit === false ? { perClient: false, perSubject: false, perIp: false } : { ...DEFAULTS.rateLimit, ...rateLimit },
    logger: options.logger ?? console,
    mounted: mountPolicy(options),
  }
}
