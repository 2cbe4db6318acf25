import type { Response } from 'express'

/** One typed value a route layer hands to the layers after it, kept in `res.locals` under a symbol. */
export interface RequestLocal<T> {
  /** The value, or `undefined` when no layer set it. */
  find(res: Response): T | undefined
  /** The value. @throws Error when the layer that sets it did not run first (a mounting bug). */
  get(res: Response): T
  set(res: Response, value: T): void
}

/** A {@link RequestLocal} named `name` (the name only shows in the mounting-bug message). */
export function requestLocal<T>(name: string): RequestLocal<T> {
  const key = Symbol(name)
  const slot = (res: Response) => res.locals as Record<symbol, T | undefined>
  return {
    find: (res) => slot(res)[key],
    get(res) {
      const value = slot(res)[key]
      if (value === undefined) throw new Error(`${name} is read before the layer that sets it ran`)
      return value
    },
    set(res, value) {
      slot(res)[key] = value
    },
  }
}
