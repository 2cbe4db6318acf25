import Joi from 'joi'
import type { AccessTokenOptions, AuthcodeOptions, ClientOptions, RateLimitRule, RedisConnection } from '../types/options.js'
import type { CodeStore } from '../types/store.js'
import { redirectUriProblem } from './helpers/redirect-uri.js'
import { isRedisConnection } from './stores/redis-commands.js'
import { RedisStore } from './stores/redis-store.js'

/** Stable `code` of every error `authcode()` throws for a bad option. */
export const OPTIONS_ERROR_CODE = 'ERR_AUTHCODE_OPTIONS'

/** Thrown by `authcode()` when an option is missing, unknown or invalid. */
export class AuthcodeOptionsError extends TypeError {
  override name = 'AuthcodeOptionsError'
  readonly code = OPTIONS_ERROR_CODE
}

/** Options after validation and defaults: what every handler reads, built once. */
export interface ResolvedOptions extends Omit<AuthcodeOptions, 'clients' | 'rateLimit' | 'redis'> {
  store: CodeStore
  keyPrefix: string
  /** `issuer` without a trailing slash, for building endpoint URLs. */
  baseUrl: string
  clients: ReadonlyMap<string, ClientOptions>
  accessTokens: AccessTokenOptions[]
  userKey: string
  rateLimit: Record<'perClient' | 'perSubject' | 'perIp', RateLimitRule | false>
  idempotencyTtl: number
  captureClockSkew: number
  singleActiveCode: boolean
}

const DEFAULT_LIMITS: ResolvedOptions['rateLimit'] = {
  perClient: { limit: 600, windowMs: 60_000 },
  perSubject: { limit: 5, windowMs: 15 * 60_000 },
  perIp: { limit: 60, windowMs: 60_000 },
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/

/**
 * `https:`, or `http:` on a loopback host, with no query or fragment.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
function issuerUrl(value: string, helpers: Joi.CustomHelpers): string | Joi.ErrorReport {
  const url = URL.parse(value)
  if (!url) return helpers.message({ custom: '"issuer" must be an absolute URL, e.g. https://id.example.com/auth' })
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname))) {
    return helpers.message({ custom: '"issuer" must use https: (http: is accepted only for localhost)' })
  }
  if (url.search || url.hash || value.includes('#') || value.includes('?')) {
    return helpers.message({ custom: '"issuer" must not have a query or fragment' })
  }
  return value
}

/** Registration-time checks of a redirect URI. @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2 */
function redirectUri(value: string, helpers: Joi.CustomHelpers): string | Joi.ErrorReport {
  const problem = redirectUriProblem(value)
  return problem === undefined ? value : helpers.message({ custom: `{{#label}} ${problem}` })
}

/** A path on this host (`/login`) or an absolute `http(s):` URL: where `/authorize` sends a signed-out browser. */
function loginUrl(value: string, helpers: Joi.CustomHelpers): string | Joi.ErrorReport {
  const absolute = URL.parse(value)
  if (absolute ? /^https?:$/.test(absolute.protocol) : /^\/(?![/\\])/.test(value)) return value
  return helpers.message({ custom: '"loginUrl" must be a path such as /login or an absolute https: URL' })
}

const rule = Joi.alternatives(
  Joi.valid(false),
  Joi.object({ limit: Joi.number().integer().min(1).required(), windowMs: Joi.number().integer().min(1000).required() }),
)

const client = Joi.object<ClientOptions>({
  id: Joi.string().min(1).max(255).required(),
  secret: Joi.string().min(1),
  redirectUris: Joi.array().items(Joi.string().custom(redirectUri)).unique(),
  scopes: Joi.array()
    .items(Joi.string().pattern(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'scope-token'))
    .unique(),
  captureRoles: Joi.array()
    .items(Joi.valid('owner', 'access_issuer', 'direct_access', 'direct_read_access', 'login_client'))
    .unique(),
  integration: Joi.string(),
  applicationType: Joi.valid('web', 'native').default('web'),
})

const STORE_METHODS = [
  'save',
  'consume',
  'delete',
  'claimIdempotencyKey',
  'releaseIdempotencyKey',
  'replaceActive',
  'claimOnce',
  'rateLimitStore',
]

const schema = Joi.object<AuthcodeOptions>({
  redis: Joi.any().custom((value, helpers) =>
    isRedisConnection(value)
      ? value
      : helpers.message({ custom: '"redis" must be a node-redis client, cluster or Sentinel (createClient/createCluster/createSentinel)' }),
  ),
  // any(), not object(): Joi may clone objects, which would break a class instance's private state.
  store: Joi.any().custom((value, helpers) =>
    typeof value === 'object' && value !== null && STORE_METHODS.every((m) => typeof value[m] === 'function')
      ? value
      : helpers.message({ custom: `"store" must implement CodeStore (${STORE_METHODS.join(', ')}), e.g. new MemoryStore()` }),
  ),
  keyPrefix: Joi.string().min(1).default('authcode:'),
  issuer: Joi.string().required().custom(issuerUrl),
  clients: Joi.array().items(client).min(1).unique('id').required(),
  accessTokens: Joi.array().items(
    Joi.object({
      token: Joi.string().min(16).required(),
      clientId: Joi.string().required(),
      scopes: Joi.array().items(Joi.string()).required(),
    }),
  ),
  verifyAccessToken: Joi.function(),
  session: Joi.object({ userKey: Joi.string().min(1) }),
  getUser: Joi.function(),
  loginUrl: Joi.string().custom(loginUrl),
  findUser: Joi.function(),
  issueTokens: Joi.function(),
  magicLinkUrl: Joi.string().uri({ scheme: ['https', 'http'] }),
  integrations: Joi.object().pattern(Joi.string(), Joi.object({ schema: Joi.object().schema('object') })),
  rateLimit: Joi.alternatives(Joi.valid(false), Joi.object({ perClient: rule, perSubject: rule, perIp: rule })),
  idempotencyTtl: Joi.number().integer().min(60).default(86_400),
  captureClockSkew: Joi.number().integer().min(1).max(3600).default(300),
  singleActiveCode: Joi.boolean().default(false),
})
  .xor('redis', 'store')
  .oxor('accessTokens', 'verifyAccessToken')
  .oxor('session', 'getUser')
  .messages({
    'object.missing': 'one of "redis" (a connected node-redis client) or "store" (e.g. new MemoryStore()) is required',
    'object.xor': 'give "redis" or "store", not both',
  })

/**
 * Validates `authcode()` options once and resolves every default.
 * @throws AuthcodeOptionsError naming the option, with a suggestion for a misspelt one.
 */
export function resolveOptions(input: unknown): ResolvedOptions {
  const { value, error } = schema.validate(input, { abortEarly: true, convert: false })
  if (error) throw new AuthcodeOptionsError(`authcode(): ${describe(error)}`)
  // No Joi default for accessTokens: a default would count as given and clash with verifyAccessToken.
  const options = value as AuthcodeOptions & {
    keyPrefix: string
    idempotencyTtl: number
    singleActiveCode: boolean
    captureClockSkew: number
  }
  const accessTokens = options.accessTokens ?? []
  const clients = new Map(options.clients.map((c) => [c.id, c]))
  for (const token of accessTokens) {
    if (!clients.has(token.clientId))
      throw new AuthcodeOptionsError(`authcode(): "accessTokens" names client "${token.clientId}", which is not in "clients"`)
  }
  for (const c of options.clients) {
    if (c.integration !== undefined && !options.integrations?.[c.integration]) {
      throw new AuthcodeOptionsError(`authcode(): client "${c.id}" names integration "${c.integration}", which is not in "integrations"`)
    }
  }
  const { redis, rateLimit, session, ...rest } = options
  return {
    ...rest,
    accessTokens,
    // Joi's xor guarantees exactly one of store and redis.
    store: options.store ?? new RedisStore({ client: redis as RedisConnection, prefix: options.keyPrefix }),
    baseUrl: options.issuer.replace(/\/+$/, ''),
    clients,
    userKey: session?.userKey ?? 'userId',
    rateLimit: rateLimit === false ? { perClient: false, perSubject: false, perIp: false } : { ...DEFAULT_LIMITS, ...rateLimit },
  }
}

function describe(error: Joi.ValidationError): string {
  const detail = error.details[0]
  if (detail?.type !== 'object.unknown') return error.message
  const key = String(detail.context?.key)
  let description: Joi.Description | undefined = schema.describe()
  for (const segment of detail.path.slice(0, -1)) {
    description = typeof segment === 'number' ? description?.items?.[0] : description?.keys?.[segment]
  }
  const known = Object.keys(description?.keys ?? {})
  const guess = known.find((name) => distance(name.toLowerCase(), key.toLowerCase()) <= 2)
  return `${error.message}${guess ? ` (did you mean "${guess}"?)` : ''}`
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    row = next
  }
  return row[b.length] as number
}
