import Joi from 'joi'
import type { ClientOptions } from '../../types/options.js'
import { DEFAULTS } from '../defaults.js'
import { isResourceIndicator, redirectUriProblem } from '../engine/redirect-uri.js'

/** Registration-time checks of a redirect URI. @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2 */
function redirectUri(value: string, helpers: Joi.CustomHelpers): string | Joi.ErrorReport {
  const client = helpers.state.ancestors[1] as Partial<ClientOptions> | undefined
  const problem = redirectUriProblem(value, client?.applicationType === 'native')
  return problem === undefined ? value : helpers.message({ custom: `{{#label}} ${problem}` })
}

/** An RFC 8707 resource indicator: an absolute URI without a fragment. @see https://www.rfc-editor.org/rfc/rfc8707#section-2 */
function resourceIndicator(value: string, helpers: Joi.CustomHelpers): string | Joi.ErrorReport {
  return isResourceIndicator(value)
    ? value
    : helpers.message({ custom: '{{#label}} must be an absolute URI without a fragment (RFC 8707 §2)' })
}

/** A whole number of seconds, at least `min`. */
export const seconds = (min: number) => Joi.number().integer().min(min)

/** A rate limit, or `false`. */
export const rule = Joi.alternatives(
  Joi.valid(false),
  Joi.object({ limit: Joi.number().integer().min(1).required(), windowMs: Joi.number().integer().min(1000).required() }),
)

/** A registered client. */
export const client = Joi.object<ClientOptions>({
  id: Joi.string().min(1).max(255).required(),
  name: Joi.string().min(1).max(255),
  uri: Joi.string().uri({ scheme: ['https', 'http'] }),
  logoUri: Joi.string().uri({ scheme: ['https', 'http'] }),
  // A secret is guessed per request: as long as a bearer token at least.
  secret: Joi.string().min(16),
  redirectUris: Joi.array().items(Joi.string().custom(redirectUri)).unique(),
  scopes: Joi.array()
    .items(Joi.string().pattern(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'scope-token'))
    .unique(),
  captureRoles: Joi.array()
    .items(Joi.valid('owner', 'access_issuer', 'direct_access', 'direct_read_access', 'login_client'))
    .unique(),
  integration: Joi.string(),
  applicationType: Joi.valid('web', 'native').default(DEFAULTS.applicationType),
  consent: Joi.valid('required', 'remember', 'implicit'),
  resources: Joi.array().items(Joi.string().custom(resourceIndicator)).unique(),
  requirePar: Joi.boolean(),
  refreshTokens: Joi.valid(false).messages({ 'any.only': '{{#label}} can only be false: the router option "refreshTokens" turns them on' }),
})

/** `clientIdMetadataDocuments`: `true`, `false`, or its options. */
export const metadataDocuments = Joi.alternatives(
  Joi.boolean(),
  Joi.object({
    allowHosts: Joi.array().items(Joi.string().min(1).lowercase()),
    ca: Joi.alternatives(Joi.string(), Joi.binary()),
    timeoutMs: Joi.number().integer().min(100).max(30_000),
    maxBytes: Joi.number().integer().min(256).max(1_048_576),
    cacheSeconds: Joi.object({ min: seconds(0), max: seconds(1) }),
  }),
)

/** `dynamicRegistration`: `true`, `false`, or its options. */
export const dynamicRegistration = Joi.alternatives(
  Joi.boolean(),
  Joi.object({
    initialAccessToken: Joi.string()
      .min(16)
      .pattern(/^[A-Za-z0-9\-._~+/]+=*$/, 'RFC 6750 b64token'),
    ttl: seconds(60),
    perIp: rule,
  }),
)

/** `defaultResource`: an RFC 8707 resource indicator. */
export const defaultResource = Joi.string().custom(resourceIndicator)

/** `par`: pushed authorization requests. */
export const par = Joi.object({ required: Joi.boolean(), ttl: seconds(10).max(600) })
