import Joi from 'joi'
import { ValidationError } from '../errors/errors.js'
import { fieldErrors } from '../helpers/json-pointer.js'
import type { ResolvedOptions } from '../options.js'

/** A valid `POST /codes` body, defaults applied. */
export interface CodesBody {
  /** Stored and returned verbatim. */
  external_user_id: string
  /** Seconds. */
  ttl: number
  integration_context?: Record<string, unknown>
}

/** Largest `integration_context`, serialized. */
export const INTEGRATION_CONTEXT_LIMIT_BYTES = 8 * 1024

const body = Joi.object<CodesBody>({
  external_user_id: Joi.string().min(1).max(128).required(),
  ttl: Joi.number().integer().min(60).max(900).default(300),
  integration_context: Joi.object()
    .unknown(true)
    .custom((value: object, helpers) =>
      Buffer.byteLength(JSON.stringify(value)) <= INTEGRATION_CONTEXT_LIMIT_BYTES
        ? value
        : helpers.message({ custom: `{{#label}} must be at most ${INTEGRATION_CONTEXT_LIMIT_BYTES} bytes of JSON` }),
    ),
})
  .required()
  .messages({ 'object.base': 'the body must be a JSON object' })
  .prefs({ abortEarly: false, convert: false })

/**
 * Validates a `POST /codes` body, listing every fault (unknown fields included) with a JSON
 * Pointer. The client's integration schema then checks the `integration_context` keys it
 * knows; keys it does not know are kept as sent.
 * @throws ValidationError with every fault.
 */
export function parseCodesBody(options: ResolvedOptions, clientId: string, input: unknown): CodesBody {
  const { value, error } = body.validate(input)
  if (error) throw new ValidationError(fieldErrors(error.details))
  const integration = options.clients.get(clientId)?.integration
  const schema = integration === undefined ? undefined : options.integrations?.[integration]?.schema
  if (!schema || value.integration_context === undefined) return value
  const checked = schema.validate(value.integration_context, { abortEarly: false, allowUnknown: true })
  if (checked.error) throw new ValidationError(fieldErrors(checked.error.details, ['integration_context']))
  return { ...value, integration_context: checked.value as Record<string, unknown> }
}
