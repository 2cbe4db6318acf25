import type { ValidationErrorItem } from 'joi'
import type { FieldError } from './problems.js'

/**
 * A JSON Pointer fragment (`#/a/0/b`) for a path, with `~` and `/` escaped.
 * @see https://www.rfc-editor.org/rfc/rfc6901#section-3
 * @see https://www.rfc-editor.org/rfc/rfc6901#section-6
 */
export function jsonPointer(path: ReadonlyArray<string | number>): string {
  return `#${path.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')}`
}

/** Joi's details as problem `errors[]`, each pointing under `base`. */
export function fieldErrors(details: ValidationErrorItem[], base: ReadonlyArray<string | number> = []): FieldError[] {
  return details.map((d) => ({ detail: d.message, pointer: jsonPointer([...base, ...d.path]) }))
}
