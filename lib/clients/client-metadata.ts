import type { ClientOptions } from '../../types/options.js'
import { redirectUriProblem } from '../engine/redirect-uri.js'

/** RFC 7591 §3.2.2's error codes for metadata a client sends about itself. */
export type ClientMetadataErrorCode = 'invalid_redirect_uri' | 'invalid_client_metadata'

/** Why a client's own metadata cannot be accepted, in RFC 7591 §3.2.2's terms. */
export interface ClientMetadataFault {
  error: ClientMetadataErrorCode
  description: string
}

/** What a client that arrives at run time may say of itself, once checked. */
export type ArrivingClient = Pick<ClientOptions, 'name' | 'uri' | 'logoUri' | 'redirectUris' | 'applicationType'> & {
  /** The scopes it asked for, among those the router offers; `undefined` when it named none. */
  scopes?: string[]
}

/** A scope token of RFC 6749 §3.3. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/
const MAX_REDIRECT_URIS = 20

/**
 * Reads the metadata a client sends about itself, by `POST /register` or in its metadata
 * document: `redirect_uris` (required; `http:` only on a loopback host, which then matches any
 * port), `client_name`, `client_uri` and `logo_uri` (`https:`), `scope` (kept to the scopes the
 * router `offers`), `token_endpoint_auth_method` (`none` only: such a client is public),
 * `grant_types` and `response_types` within the code flow. Other members are ignored.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function readClientMetadata(metadata: Record<string, unknown>, offers: readonly string[]): ArrivingClient | ClientMetadataFault {
  const invalid = (description: string): ClientMetadataFault => ({ error: 'invalid_client_metadata', description })
  const uris = metadata.redirect_uris
  if (!Array.isArray(uris) || uris.length === 0 || uris.length > MAX_REDIRECT_URIS || !uris.every((u) => typeof u === 'string')) {
    return { error: 'invalid_redirect_uri', description: `redirect_uris must be a list of 1 to ${MAX_REDIRECT_URIS} URIs.` }
  }
  for (const uri of uris as string[]) {
    const problem = redirectUriProblem(uri, true)
    if (problem !== undefined) return { error: 'invalid_redirect_uri', description: `Each redirect URI ${problem}.` }
  }
  const method = metadata.token_endpoint_auth_method
  if (method !== undefined && method !== 'none')
    return invalid('token_endpoint_auth_method must be "none": only public clients may register.')
  if (metadata.client_secret !== undefined) return invalid('A public client has no client_secret.')
  if (!within(metadata.grant_types, ['authorization_code', 'refresh_token'], 'authorization_code'))
    return invalid('grant_types may name only authorization_code and refresh_token, and must name authorization_code.')
  if (!within(metadata.response_types, ['code'], 'code')) return invalid('response_types may name only code.')
  const name = metadata.client_name
  if (name !== undefined && (typeof name !== 'string' || name.length === 0 || name.length > 255))
    return invalid('client_name must be text of 1 to 255 characters.')
  const pages: Record<string, string | undefined> = {}
  for (const member of ['client_uri', 'logo_uri']) {
    const value = metadata[member]
    if (value !== undefined && (typeof value !== 'string' || URL.parse(value)?.protocol !== 'https:' || value.length > 2048))
      return invalid(`${member} must be an https: URL.`)
    pages[member] = value as string | undefined
  }
  const scope = metadata.scope
  if (scope !== undefined && (typeof scope !== 'string' || !scope.split(' ').every((token) => SCOPE_TOKEN.test(token))))
    return invalid('scope must be space-separated scope tokens.')
  const claimable = (uris as string[]).some((uri) => !uri.startsWith('https:'))
  return {
    redirectUris: [...new Set(uris as string[])],
    applicationType: metadata.application_type === 'native' || claimable ? 'native' : 'web',
    ...(name === undefined ? {} : { name: name as string }),
    ...(pages.client_uri === undefined ? {} : { uri: pages.client_uri }),
    ...(pages.logo_uri === undefined ? {} : { logoUri: pages.logo_uri }),
    ...(scope === undefined ? {} : { scopes: [...new Set((scope as string).split(' '))].filter((token) => offers.includes(token)) }),
  }
}

/** Whether `value` is absent, or a list of strings within `allowed` that names `required`. */
function within(value: unknown, allowed: readonly string[], required: string): boolean {
  if (value === undefined) return true
  return Array.isArray(value) && value.includes(required) && value.every((one) => allowed.includes(one as string))
}

/** Whether `result` is a fault rather than a client. */
export function isFault(result: ArrivingClient | ClientMetadataFault): result is ClientMetadataFault {
  return 'error' in result
}
