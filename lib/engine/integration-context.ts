import type { IntegrationSchema, JoiLikeSchema, StandardSchemaResult } from '../../types/options.js'
import { ValidationError, type FieldError } from '../errors/problems.js'
import { jsonPointer } from '../errors/field-errors.js'

/** Whether a value can check an `integration_context`: a Joi schema of any major, or a Standard Schema v1 validator. */
export function isIntegrationSchema(value: unknown): value is IntegrationSchema {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false
  return (
    isJoi(value as IntegrationSchema) || typeof (value as { '~standard'?: { validate?: unknown } })['~standard']?.validate === 'function'
  )
}

/**
 * Joi of every major has `validate` and `describe`, and is used through its own `validate`,
 * which never mixes Joi versions. Other libraries with those names (zod has both) say who they
 * are in their Standard Schema `vendor`; Joi 18 says `joi`.
 */
function isJoi(schema: IntegrationSchema): schema is JoiLikeSchema {
  const standard = (schema as { '~standard'?: { vendor?: unknown } })['~standard']
  if (standard !== undefined) return standard.vendor === 'joi'
  const joi = schema as Partial<JoiLikeSchema>
  return typeof joi.validate === 'function' && typeof joi.describe === 'function'
}

const base = ['integration_context'] as const

/**
 * Checks the keys of an `integration_context` that the client's integration schema knows;
 * keys it does not know are kept as sent (a Standard Schema validator that strips them gets
 * them back), and values it transforms are kept transformed.
 * @see https://standardschema.dev
 * @throws ValidationError with every fault, each pointing into `integration_context`.
 */
export async function checkIntegrationContext(
  schema: IntegrationSchema,
  context: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  if (isJoi(schema)) {
    const { value, error } = schema.validate(context, { abortEarly: false, allowUnknown: true })
    if (error) throw new ValidationError(error.details.map((d) => ({ detail: d.message, pointer: jsonPointer([...base, ...d.path]) })))
    return value as Record<string, unknown>
  }
  const result: StandardSchemaResult = await schema['~standard'].validate(context)
  if (result.issues) throw new ValidationError(result.issues.map(toFieldError))
  const checked = result.value
  return typeof checked === 'object' && checked !== null ? { ...context, ...checked } : context
}

function toFieldError(issue: Exclude<StandardSchemaResult['issues'], undefined>[number]): FieldError {
  const path = (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment))
  return { detail: `"${['integration_context', ...path].join('.')}" ${issue.message}`, pointer: jsonPointer([...base, ...path]) }
}
