import type { HttpAnswer } from './http.js'

/** Starts `call(i)` for every `i` below `n` at once, so the calls race; resolves their results in order. */
export function fanOut<T>(n: number, call: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => call(i)))
}

/** How many of `items` have each outcome, e.g. `{ '200 ok': 1, '400 invalid_grant': 199 }`. */
export function tally<T>(items: readonly T[], outcome: (item: T, i: number) => string): Record<string, number> {
  const counts: Record<string, number> = {}
  items.forEach((item, i) => {
    const key = outcome(item, i)
    counts[key] = (counts[key] ?? 0) + 1
  })
  return counts
}

/** An answer as `<status> <OAuth error>`, or `<status> ok` when it names no error. */
export function statusAndError(answer: HttpAnswer): string {
  return `${answer.status} ${typeof answer.json?.error === 'string' ? answer.json.error : 'ok'}`
}
