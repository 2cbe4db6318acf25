import { randomBytes } from 'node:crypto'
import { DEFAULTS } from '../../defaults.js'
import type { Engine } from '../../engine/engine.js'
import { InvalidRequestUriError } from '../../errors/oauth-authorize.js'
import type { ParsedParams } from '../../http/params.js'

/** The `request_uri` prefix of RFC 9126 §2.2. */
const URN = 'urn:ietf:params:oauth:request_uri:'
const REQUEST_URI = /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/

/** A pushed authorization request as `/authorize` reads it back. */
export interface PushedRequest {
  /** The client that pushed it. */
  clientId: string
  /** The pushed parameters, as a query string in the order they were sent. */
  query: string
}

/** The store's pushed requests, or a clear fault for a store that keeps none. */
function pushedStore(engine: Engine) {
  const store = engine.store.pushedRequestStore?.()
  if (store === undefined) throw new TypeError('the code store keeps no pushed requests (CodeStore.pushedRequestStore)')
  return store
}

/** Where a `request_uri` is kept: a digest of it, so that a dump of the store names no usable one. */
const idOf = (engine: Engine, requestUri: string) => engine.atRest.digest('pushed authorization request', requestUri)

/**
 * Keeps `request` for `ttlSeconds` under a new `request_uri` (256 random bits), which it resolves.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 */
export async function pushRequest(engine: Engine, request: PushedRequest, ttlSeconds: number): Promise<string> {
  const requestUri = URN + randomBytes(32).toString('base64url')
  await pushedStore(engine).save(idOf(engine, requestUri), JSON.stringify(request), ttlSeconds * 1000)
  return requestUri
}

/**
 * The request a `request_uri` names, if it is live: its first use gives it
 * `DEFAULTS.par.holdSeconds` from then for the sign-in and consent round trips.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-4
 */
export async function openPushedRequest(engine: Engine, requestUri: string): Promise<PushedRequest | undefined> {
  if (!REQUEST_URI.test(requestUri)) return undefined
  const value = await pushedStore(engine).open(idOf(engine, requestUri), DEFAULTS.par.holdSeconds * 1000)
  return value === undefined ? undefined : (JSON.parse(value) as PushedRequest)
}

/** Spends a `request_uri` once a code or an error went back for it: `false` when another request spent it first. */
export function spendPushedRequest(engine: Engine, requestUri: string): Promise<boolean> {
  return pushedStore(engine).spend(idOf(engine, requestUri))
}

/**
 * The pushed request an `/authorize` request names by `request_uri`, opened, or `undefined` when
 * it names none. Only `client_id` is read beside it: every other parameter comes from the pushed
 * request, and `client_id` must be the client that pushed it.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-4
 * @throws InvalidRequestUriError for one unknown, expired, spent or another client's (a 400 page).
 */
export async function pushedRequestOf(
  engine: Engine,
  { params, repeated }: ParsedParams,
): Promise<(PushedRequest & { requestUri: string }) | undefined> {
  const requestUri = params.request_uri
  if (requestUri === undefined) return undefined
  if (repeated.includes('request_uri') || repeated.includes('client_id')) throw new InvalidRequestUriError()
  const pushed = await openPushedRequest(engine, requestUri)
  if (pushed === undefined || pushed.clientId !== params.client_id) throw new InvalidRequestUriError()
  return { ...pushed, requestUri }
}
