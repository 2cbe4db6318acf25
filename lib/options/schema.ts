import Joi from 'joi'
import type { AuthcodeOptions, ClientOptions } from '../../types/options.js'
import { DEFAULTS } from '../defaults.js'
import { redirectUriProblem } from '../engine/redirect-uri.js'
import { isRedisConnection } from '../stores/redis-commands.js'
import { isCodeStore, STORE_METHODS } from '../stores/store-methods.js'

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

function isLogger(value: unknown): boolean {
  const logger = value as Record<string, unknown> | null
  return typeof logger === 'object' && logger !== null && typeof logger.error === 'function' && typeof logger.warn === 'function'
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
  applicationType: Joi.valid('web', 'native').default(DEFAULTS.applicationType),
})

/** The options of `authcode()`, with the defaults of {@link DEFAULTS}. */
export const optionsSchema = Joi.object<AuthcodeOptions>({
  redis: Joi.any().custom((value, helpers) =>
    isRedisConnection(value)
      ? value
      : helpers.message({ custom: '"redis" must be a node-redis client, cluster or Sentinel (createClient/createCluster/createSentinel)' }),
  ),
  // any(), not object(): Joi may clone objects, which would break a class instance's private state.
  store: Joi.any().custom((value, helpers) =>
    isCodeStore(value)
      ? value
      : helpers.message({ custom: `"store" must implement CodeStore (${STORE_METHODS.join(', ')}), e.g. new MemoryStore()` }),
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
  loginUrl: Joi.string().custom(loginUrl),
  findUser: Joi.function(),
  issueTokens: Joi.function(),
  magicLinkUrl: Joi.string().uri({ scheme: ['https', 'http'] }),
  // any(), not object(): a logger is a class instance Joi must not clone.
  logger: Joi.any().custom((value, helpers) =>
    isLogger(value)
      ? value
      : helpers.message({ custom: '"logger" must have error(fields, message) and warn(fields, message), as pino and console do' }),
  ),
  integrations: Joi.object().pattern(Joi.string(), Joi.object({ schema: Joi.object().schema('object') })),
  rateLimit: Joi.alternatives(Joi.valid(false), Joi.object({ perClient: rule, perSubject: rule, perIp: rule })),
  idempotencyTtl: Joi.number().integer().min(60).default(DEFAULTS.idempotencyTtl),
  captureClockSkew: Joi.number().integer().min(1).max(3600).default(DEFAULTS.captureClockSkew),
  singleActiveCode: Joi.boolean().default(DEFAULTS.singleActiveCode),
})
  .xor('redis', 'store')
  .oxor('accessTokens', 'verifyAccessToken')
  .oxor('session', 'getUser')
  .messages({
    'object.missing': 'one of "redis" (a connected node-redis client) or "store" (e.g. new MemoryStore()) is required',
    'object.xor': 'give "redis" or "store", not both',
  })
