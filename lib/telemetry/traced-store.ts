import { context, isSpanContextValid, trace } from '@opentelemetry/api'
import type { CodeStore } from '../../types/store.js'
import { recordError } from './span-errors.js'
import type { Telemetry } from './telemetry.js'

/** Members of a code store that are no operation on what it keeps (checks, hooks, housekeeping): passed through untimed. */
const UNTIMED: ReadonlySet<PropertyKey> = new Set(['constructor', 'acceptsCodeId', 'health', 'onReconnect', 'close', 'sweep'])

/** The operations of an express-rate-limit store that go to the code store's Redis. */
const RATE_LIMIT_OPERATIONS: ReadonlyMap<PropertyKey, string> = new Map([
  ['increment', 'rate_limit_increment'],
  ['decrement', 'rate_limit_decrement'],
  ['get', 'rate_limit_get'],
  ['resetKey', 'rate_limit_reset'],
])

/** `claimIdempotencyKey` → `claim_idempotency_key`. */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/** The stores a code store hands out, and the prefix of their operations' names. */
const SUB_STORES = new Map<PropertyKey, string>([
  ['refreshTokenStore', 'refresh'],
  ['clientStore', 'client'],
  ['approvalStore', 'approval'],
])

/**
 * The store, with every operation on what it keeps (each method but {@link UNTIMED} ones, so a
 * method added to the contract later is covered too) timed into `authcode.store.duration` and
 * run in a child span `authcode store <operation>` of the active span (the endpoint request's).
 * The limits' express-rate-limit stores, the refresh-token store (`refresh_rotate`, …), the
 * client store (`client_get`, …) and the approval store (`approval_decide`, `approval_read`) are
 * wrapped alike. Everything else reads through.
 */
export function tracedStore(store: CodeStore, telemetry: Telemetry): CodeStore {
  return forwarding(store, (member, call) => {
    if (member === 'rateLimitStore') {
      return (...args: unknown[]) =>
        forwarding(call(...args) as object, (name, inner) => {
          const operation = RATE_LIMIT_OPERATIONS.get(name)
          return operation === undefined ? undefined : timed(telemetry, operation, inner)
        })
    }
    const family = SUB_STORES.get(member)
    if (family !== undefined) {
      return (...args: unknown[]) =>
        forwarding(call(...args) as object, (name, inner) =>
          typeof name === 'string' && name !== 'constructor' ? timed(telemetry, `${family}_${snakeCase(name)}`, inner) : undefined,
        )
    }
    return typeof member !== 'string' || UNTIMED.has(member) ? undefined : timed(telemetry, snakeCase(member), call)
  })
}

type Call = (...args: unknown[]) => unknown

/**
 * A transparent stand-in for `target`: its methods run on `target` itself (so its private
 * fields stay reachable), through the replacement `wrap` makes of a call when it makes one;
 * properties read through. Replacements are made once per method, and again if `target`'s
 * method changes.
 */
function forwarding<T extends object>(target: T, wrap: (member: PropertyKey, call: Call) => Call | undefined): T {
  const made = new Map<PropertyKey, { method: unknown; forwarded: Call }>()
  return new Proxy(target, {
    get(_target, member) {
      const value: unknown = Reflect.get(target, member)
      if (typeof value !== 'function') return value
      const cached = made.get(member)
      if (cached?.method === value) return cached.forwarded
      const call: Call = (...args) => (value as Call).apply(target, args)
      const forwarded = wrap(member, call) ?? call
      made.set(member, { method: value, forwarded })
      return forwarded
    },
  })
}

/** `call` as one timed operation in its own span; a failure is recorded on the span and rethrown. */
function timed(telemetry: Telemetry, operation: string, call: Call): Call {
  const name = `authcode store ${operation}`
  const attributes = { 'authcode.operation': operation }
  return function timedOperation(...args: unknown[]) {
    const parent = context.active()
    const span = telemetry.tracer.startSpan(name, { attributes }, parent)
    const started = performance.now()
    const done = (err?: unknown) => {
      telemetry.storeDuration(operation, performance.now() - started)
      if (err !== undefined) recordError(span, err)
      span.end()
    }
    let result: unknown
    try {
      // As for the request span: with no SDK the span is a no-op, with nothing to pass on.
      result = isSpanContextValid(span.spanContext()) ? context.with(trace.setSpan(parent, span), call, undefined, ...args) : call(...args)
    } catch (err) {
      done(err)
      throw err
    }
    if (!(result instanceof Promise)) {
      done()
      return result
    }
    return result.then(
      (value: unknown) => {
        done()
        return value
      },
      (err: unknown) => {
        done(err ?? new Error('rejected'))
        throw err
      },
    )
  }
}
