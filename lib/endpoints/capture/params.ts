import type { ClientOptions, FindUserQuery } from '../../../types/options.js'
import { DEFAULTS } from '../../defaults.js'
import { isRegisteredRedirectUri, LOOPBACK_HOST } from '../../engine/redirect-uri.js'
import { CaptureError } from '../../errors/capture.js'
import type { FormParams } from '../../http/params.js'

/** Largest `transaction_state` accepted, in bytes of its JSON text. */
export const TRANSACTION_STATE_LIMIT_BYTES = 8 * 1024

/** What a `getAuthorizationCode` request asks for, checked. */
export interface CaptureParams {
  query: FindUserQuery
  redirectUri: string
  /** The client the code is for: `for_client_id`, or the caller. */
  forClientId: string
  /** Seconds the code lives. */
  lifetime: number
  /** `transaction_state` parsed; `undefined` when not given. */
  transactionState?: unknown
}

function missing(argumentName: string, description: string): CaptureError {
  return new CaptureError('missing_argument', description, { argumentName })
}

function invalid(argumentName: string, description: string): CaptureError {
  return new CaptureError('invalid_argument', description, { argumentName })
}

/**
 * Checks the parameters of `getAuthorizationCode` in Capture's terms: the user by exactly
 * one of `uuid`, `id` or `key_attribute` + `key_value` (a quoted `key_value` is a JSON
 * string and is passed to `findUser` unquoted), `type_name` (default `user`),
 * `redirect_uri` (required; see {@link redirectUriFault}; exactly one of the receiving
 * client's registered redirect URIs when it has any), `for_client_id` (a registered
 * confidential client, default the caller), `lifetime` (1–900 s, default 30) and
 * `transaction_state` (JSON text, at most 8 KiB). Unknown parameters are ignored.
 * @see https://techdocs.akamai.com/identity-cloud/docs/get-an-authorization-code
 * @throws CaptureError `missing_argument`, `invalid_argument` or `duplicate_argument` for the first fault.
 */
export function readCaptureParams(params: FormParams, caller: ClientOptions, clients: ReadonlyMap<string, ClientOptions>): CaptureParams {
  const query = readUser(params)
  const redirectUri = params.redirect_uri
  if (redirectUri === undefined) throw missing('redirect_uri', 'redirect_uri is required.')
  const fault = redirectUriFault(redirectUri)
  if (fault !== undefined) throw invalid('redirect_uri', fault)
  const forClientId = params.for_client_id ?? caller.id
  const receiver = clients.get(forClientId)
  if (!receiver) throw invalid('for_client_id', 'for_client_id is not a registered client.')
  // A Capture code has no PKCE binding: only a client that authenticates at the exchange may hold one.
  if (receiver.secret === undefined) throw invalid('for_client_id', 'for_client_id must name a confidential client (one with a secret).')
  if ((receiver.redirectUris?.length ?? 0) > 0 && !isRegisteredRedirectUri(receiver, redirectUri))
    throw invalid(
      'redirect_uri',
      `redirect_uri is not one of the redirect URIs registered for ${forClientId === caller.id ? 'this client' : 'for_client_id'}.`,
    )
  const { capture, captureMax } = DEFAULTS.ttl
  const lifetime = params.lifetime === undefined ? capture : /^\d{1,3}$/.test(params.lifetime) ? Number(params.lifetime) : 0
  if (lifetime < 1 || lifetime > captureMax)
    throw invalid('lifetime', `lifetime must be a whole number of seconds from 1 to ${captureMax}.`)
  const result: CaptureParams = { query, redirectUri, forClientId, lifetime }
  if (params.transaction_state !== undefined) result.transactionState = readTransactionState(params.transaction_state)
  return result
}

/**
 * Why `uri` cannot be a Capture code's `redirect_uri`, or `undefined` when it can: an absolute
 * `https:` URI in printable ASCII (or `http:` on a loopback host) without a fragment, so never
 * `javascript:`, `data:` or another scheme a browser would run instead of navigating.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.6
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function redirectUriFault(uri: string): string | undefined {
  const url = URL.parse(uri)
  if (!url || !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]/i.test(uri) || !/^[\x21-\x7e]+$/.test(uri))
    return 'redirect_uri must be an absolute URI (scheme://host/…) in printable ASCII.'
  if (uri.includes('#')) return 'redirect_uri must not contain a fragment.'
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname))) return undefined
  return 'redirect_uri must use https: (or http: on a loopback host).'
}

function readUser(params: FormParams): FindUserQuery {
  const given = (['uuid', 'id', 'key_attribute'] as const).filter(
    (name) => params[name] !== undefined || (name === 'key_attribute' && params.key_value !== undefined),
  )
  if (given.length === 0) throw missing('uuid', 'Identify the user with one of uuid, id, or key_attribute and key_value.')
  if (given.length > 1)
    throw new CaptureError('duplicate_argument', `Identify the user one way only; got ${given.join(' and ')}.`, {
      argumentName: given[1] as string,
    })
  const typeName = params.type_name ?? DEFAULTS.captureTypeName
  if (params.uuid !== undefined) return { uuid: params.uuid, typeName }
  if (params.id !== undefined) return { id: params.id, typeName }
  if (params.key_attribute === undefined) throw missing('key_attribute', 'key_value needs key_attribute.')
  if (params.key_value === undefined) throw missing('key_value', 'key_attribute needs key_value.')
  return { keyAttribute: params.key_attribute, keyValue: unquote(params.key_value), typeName }
}

/** Capture sends string `key_value`s as JSON strings (`"jane@example.com"`); numbers bare. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value
  try {
    const parsed: unknown = JSON.parse(value)
    if (typeof parsed === 'string') return parsed
  } catch {
    // fall through to the error below
  }
  throw invalid('key_value', 'A quoted key_value must be a JSON string.')
}

function readTransactionState(text: string): unknown {
  if (Buffer.byteLength(text, 'utf8') > TRANSACTION_STATE_LIMIT_BYTES)
    throw invalid('transaction_state', 'transaction_state must be at most 8 KiB.')
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw invalid('transaction_state', 'transaction_state must be a JSON text.')
  }
}
