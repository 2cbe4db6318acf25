import type { RequestHandler } from 'express'
import Joi from 'joi'
import { DEFAULTS } from '../../defaults.js'
import { ValidationError } from '../../errors/problems.js'
import { fieldErrors } from '../../errors/field-errors.js'
import { requestLocal } from '../../http/locals.js'
import type { ResolvedOptions } from '../../options/resolve.js'
import { caller } from './authenticate.js'
import { checkIntegrationContext } from '../../engine/integration-context.js'
import { S256_CHALLENGE } from '../../engine/pkce.js'

/** A valid `POST /codes` body, defaults applied. */
export interface CodesBody {
  /** Stored and returned verbatim. */
  external_user_id: string
  /** Seconds. */
  ttl: number
  integration_context?: Record<string, unknown>
  /** Same-browser binding: the S256 challenge of a verifier the asking browser keeps. */
  code_challenge?: string
  code_challenge_method?: 'S256'
  /** Also issue a one-time passcode for the same grant. */
  otp: boolean
}

/** Largest `integration_context`, serialized. */
export const INTEGRATION_CONTEXT_LIMIT_BYTES = 8 * 1024

const body = Joi.object<CodesBody>({
  external_user_id: Joi.string().min(1).max(128).required(),
  ttl: Joi.number().integer().min(DEFAULTS.ttl.magicLinkMin).max(DEFAULTS.ttl.magicLinkMax).default(DEFAULTS.ttl.magicLink),
  integration_context: Joi.object()
    .unknown(true)
    .custom((value: object, helpers) =>
      Buffer.byteLength(JSON.stringify(value)) <= INTEGRATION_CONTEXT_LIMIT_BYTES
        ? value
        : helpers.message({ custom: `{{#label}} must be at most ${INTEGRATION_CONTEXT_LIMIT_BYTES} bytes of JSON` }),
    ),
  code_challenge: Joi.string()
    .pattern(S256_CHALLENGE)
    .messages({ 'string.pattern.base': '{{#label}} must be the 43-character base64url SHA-256 of a code_verifier (S256)' }),
  code_challenge_method: Joi.valid('S256').messages({ 'any.only': '{{#label}} must be S256' }),
  otp: Joi.boolean().default(false),
})
  .and('code_challenge', 'code_challenge_method')
  .required()
  .messages({ 'object.base': 'the body must be a JSON object' })
  .prefs({ abortEarly: false, convert: false })

/**
 * Validates a `POST /codes` body, listing every fault (unknown fields included) with a JSON
 * Pointer. The client's integration schema then checks the `integration_context` keys it
 * knows; keys it does not know are kept as sent.
 * @throws ValidationError with every fault.
 */
async function parseCodesBody(options: ResolvedOptions, clientId: string, input: unknown): Promise<CodesBody> {
  const { value, error } = body.validate(input)
  if (error) throw new ValidationError(fieldErrors(error.details))
  if (value.otp && options.otp === false)
    throw new ValidationError([{ detail: '"otp" passcodes are turned off on this server', pointer: '#/otp' }])
  const integration = options.clients.get(clientId)?.integration
  const schema = integration === undefined ? undefined : options.integrations?.[integration]?.schema
  if (!schema || value.integration_context === undefined) return value
  return { ...value, integration_context: await checkIntegrationContext(schema, value.integration_context) }
}

/** The validated body of this request, set by {@link readCodesBody}. */
export const codesBody = requestLocal<CodesBody>('the validated POST /codes body')

/** Validates the body before any store round trip: a request that fails here counts against no limit. */
export function readCodesBody(options: ResolvedOptions): RequestHandler {
  return async function validateCodesBody(req, res, next) {
    codesBody.set(res, await parseCodesBody(options, caller.get(res).clientId, req.body))
    next()
  }
}
