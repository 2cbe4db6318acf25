import Joi from 'joi'
import type { AuthcodeOptions } from '../../types/options.js'
import { DEFAULTS } from '../defaults.js'
import { isIntegrationSchema } from '../engine/integration-context.js'
import { client, defaultResource, dynamicRegistration, metadataDocuments, par, rule, seconds } from './schema-clients.js'
import { dpop } from './schema-dpop.js'
import { LOOPBACK_HOST } from '../engine/redirect-uri.js'

/**
 * What the options ask of the store layer, which `authcode()` hands over (as the validation's
 * context), so that options/ knows no store: which values are a node-redis connection or a code
 * store, and which stores keep what they hold in this process only.
 */
export interface StoreShapes {
  /** Whether a value is a node-redis client, cluster or Sentinel. */
  isRedisConnection(value: unknown): boolean
  /** Whether a value has every method of a `CodeStore`. */
  isCodeStore(value: unknown): boolean
  /** The methods a `CodeStore` must have, for the message that names them. */
  storeMethods: readonly string[]
  /** Whether a store keeps what it holds in this process's memory, never dumped (a `MemoryStore`): `atRestKey` may be left out. */
  keepsToProcess(store: unknown): boolean
}

const shapesOf = (helpers: Joi.CustomHelpers) => helpers.prefs.context as StoreShapes

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

/** A path on this host (`/login`) or an absolute `http(s):` URL: where `/authorize` sends the browser to sign in or consent. */
function pageUrl(value: string, helpers: Joi.CustomHelpers): string | Joi.ErrorReport {
  const absolute = URL.parse(value)
  if (absolute ? /^https?:$/.test(absolute.protocol) : /^\/(?![/\\])/.test(value)) return value
  return helpers.message({ custom: '{{#label}} must be a path such as /login or an absolute https: URL' })
}

/** Why `integrations` is not `{ [name]: { schema } }` with a Joi or Standard Schema `schema`, or `undefined`. */
function integrationsFault(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of { schema } by integration name'
  for (const [name, entry] of Object.entries(value)) {
    const schema = (entry as { schema?: unknown } | null)?.schema
    if (typeof entry !== 'object' || entry === null || Object.keys(entry).some((key) => key !== 'schema'))
      return `"${name}" must be { schema }`
    if (schema !== undefined && !isIntegrationSchema(schema))
      return `"${name}.schema" must be a Joi schema or a Standard Schema validator (zod, valibot, …)`
  }
  return undefined
}

/** The 32 bytes of an `atRestKey` option, or `undefined` when it is not one. */
export function atRestKeyBytes(value: unknown): Buffer | undefined {
  const bytes = Buffer.isBuffer(value)
    ? value
    : typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value)
      ? Buffer.from(value, 'base64url')
      : undefined
  return bytes?.length === 32 ? Buffer.from(bytes) : undefined
}

function isLogger(value: unknown): boolean {
  const logger = value as Record<string, unknown> | null
  return typeof logger === 'object' && logger !== null && typeof logger.error === 'function' && typeof logger.warn === 'function'
}

/** The options of `authcode()`, with the defaults of {@link DEFAULTS}; validate with {@link StoreShapes} as the context. */
export const optionsSchema = Joi.object<AuthcodeOptions>({
  redis: Joi.any().custom((value, helpers) =>
    shapesOf(helpers).isRedisConnection(value)
      ? value
      : helpers.message({
          custom:
            '"redis" must be a connected node-redis client, cluster or Sentinel (createClient/createCluster/createSentinel) or an ioredis Redis or Cluster',
        }),
  ),
  // any(), not object(): Joi may clone objects, which would break a class instance's private state.
  store: Joi.any().custom((value, helpers) =>
    shapesOf(helpers).isCodeStore(value)
      ? value
      : helpers.message({
          custom: `"store" must implement CodeStore (${shapesOf(helpers).storeMethods.join(', ')}), e.g. new MemoryStore()`,
        }),
  ),
  keyPrefix: Joi.string().min(1).default(DEFAULTS.keyPrefix),
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
  loginUrl: Joi.string().custom(pageUrl),
  consentUrl: Joi.string().custom(pageUrl),
  getAuthTime: Joi.function(),
  requireState: Joi.boolean().default(DEFAULTS.requireState),
  renderErrorPage: Joi.function(),
  findUser: Joi.function(),
  issueTokens: Joi.function(),
  refreshTokens: Joi.alternatives(Joi.boolean(), Joi.object({ idleTtl: seconds(1), maxLifetime: seconds(1), reuseInterval: seconds(0) })),
  magicLinkUrl: Joi.string().uri({ scheme: ['https', 'http'] }),
  otp: Joi.alternatives(
    Joi.valid(false),
    Joi.object({
      length: Joi.number().integer().min(4).max(10),
      maxAttempts: Joi.number().integer().min(1).max(10),
      maxFailuresPerWindow: Joi.number().integer().min(1).max(1000),
      windowSeconds: Joi.number().integer().min(1).max(86_400),
    }),
  ),
  durability: Joi.object({
    replicas: Joi.number().integer().min(1).required(),
    timeoutMs: Joi.number().integer().min(1).max(DEFAULTS.commandTimeoutMs).required(),
  }),
  atRestKey: Joi.any().custom((value, helpers) =>
    value === false || atRestKeyBytes(value)
      ? value
      : helpers.message({ custom: '"atRestKey" must be 32 bytes: a Buffer, or 43 characters of base64url (or false to opt out)' }),
  ),
  // any(), not object(): a logger is a class instance Joi must not clone.
  logger: Joi.any().custom((value, helpers) =>
    isLogger(value)
      ? value
      : helpers.message({ custom: '"logger" must have error(fields, message) and warn(fields, message), as pino and console do' }),
  ),
  // any(), not object(): a zod or Joi schema is an instance Joi must not clone or compare with its own.
  integrations: Joi.any().custom((value, helpers) => {
    const fault = integrationsFault(value)
    return fault === undefined ? value : helpers.message({ custom: `"integrations" ${fault}` })
  }),
  rateLimit: Joi.alternatives(Joi.valid(false), Joi.object({ perClient: rule, perSubject: rule, perIp: rule, failedAuth: rule })),
  idempotencyTtl: Joi.number().integer().min(60).default(DEFAULTS.idempotencyTtl),
  captureClockSkew: Joi.number().integer().min(1).max(3600).default(DEFAULTS.captureClockSkew),
  singleActiveCode: Joi.boolean().default(DEFAULTS.singleActiveCode),
  clientIdMetadataDocuments: metadataDocuments,
  dynamicRegistration,
  defaultResource,
  par,
  dpop,
})
  .xor('redis', 'store')
  .without('durability', 'store')
  .oxor('accessTokens', 'verifyAccessToken')
  .oxor('session', 'getUser')
  .messages({
    'object.missing': 'one of "redis" (a connected node-redis client) or "store" (e.g. new MemoryStore()) is required',
    'object.xor': 'give "redis" or "store", not both',
    'object.without': '"durability" waits for Redis replicas: give it with "redis" (a RedisStore of your own takes it as an option)',
  })
