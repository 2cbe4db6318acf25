import type { CodeStore } from '../../types/store.js'

/** The methods a {@link CodeStore} must have (optional ones left out). */
type RequiredMethod = { [K in keyof CodeStore]-?: undefined extends CodeStore[K] ? never : K }[keyof CodeStore]

/** Every required method of {@link CodeStore}, once: what a duck-typed store is checked against. */
export const STORE_METHODS = [
  'save',
  'consume',
  'peek',
  'delete',
  'claimOnce',
  'claimIdempotencyKey',
  'releaseIdempotencyKey',
  'consumePasscode',
  'revoke',
  'rateLimitStore',
] as const satisfies readonly RequiredMethod[]

// Fails to compile when CodeStore gains a required method this list lacks.
const listsEveryMethod: [Exclude<RequiredMethod, (typeof STORE_METHODS)[number]>] extends [never] ? true : never = true
void listsEveryMethod

/** Whether `value` has every method of a {@link CodeStore}. */
export function isCodeStore(value: unknown): value is CodeStore {
  return (
    typeof value === 'object' && value !== null && STORE_METHODS.every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
  )
}
