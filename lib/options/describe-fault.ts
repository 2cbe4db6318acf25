import type Joi from 'joi'
import { OPTIONS_ERROR_CODES, type OptionsErrorCode } from '../errors/options-error.js'

/** Which kind of configuration fault a Joi error is. */
export function faultCode(detail: Joi.ValidationErrorItem | undefined): OptionsErrorCode {
  switch (detail?.type) {
    case 'any.required':
      return OPTIONS_ERROR_CODES.missing
    case 'object.unknown':
      return OPTIONS_ERROR_CODES.unknown
    case 'object.missing':
    case 'object.xor':
    case 'object.oxor':
    case 'object.without':
      return OPTIONS_ERROR_CODES.conflict
    default:
      return OPTIONS_ERROR_CODES.invalid
  }
}

/** Joi's message, with "did you mean" for an unknown key one or two edits from a known one. */
export function describeFault(schema: Joi.Schema, error: Joi.ValidationError): string {
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
