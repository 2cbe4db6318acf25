import type { ClientOptions } from '../../../types/options.js'
import { PKCE_VALUE } from '../../engine/pkce.js'
import { isRegisteredRedirectUri } from '../../engine/redirect-uri.js'
import { InvalidRequestError, InvalidScopeError, UnsupportedResponseTypeError } from '../../errors/oauth.js'
import { ValidationError } from '../../errors/problems.js'
import { safeName, type ParsedParams } from '../../http/params.js'

/** An authorization request whose client and redirect URI are verified. */
export interface VerifiedRedirect {
  client: ClientOptions
  redirectUri: string
}

/** A valid authorization request: what the code will be bound to. */
export interface AuthorizationRequest extends VerifiedRedirect {
  /** The requested scope tokens, each one the client's, without repeats, space-separated. */
  scope: string
  state: string
  codeChallenge: string
  /** `prompt=none`: answer without showing a login page. Other `prompt` values are ignored. */
  promptNone: boolean
}

/**
 * The checks whose failure must be shown to the user and never redirected: `client_id` names
 * a registered client and `redirect_uri` is, exactly, one of its redirect URIs (each given
 * once). Nothing from the request is echoed in the error.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.1.3
 * @throws ValidationError (400) pointing at `client_id` or `redirect_uri`.
 */
export function verifyRedirect(clients: ReadonlyMap<string, ClientOptions>, { params, repeated }: ParsedParams): VerifiedRedirect {
  const fault = (name: string, detail: string) => new ValidationError([{ detail, pointer: `#/query/${name}` }])
  const clientId = params.client_id
  if (clientId === undefined) throw fault('client_id', 'client_id is required.')
  if (repeated.includes('client_id')) throw fault('client_id', 'client_id was given more than once.')
  const client = clients.get(clientId)
  if (!client) throw fault('client_id', 'client_id does not name a registered client.')
  const redirectUri = params.redirect_uri
  if (redirectUri === undefined) throw fault('redirect_uri', 'redirect_uri is required.')
  if (repeated.includes('redirect_uri')) throw fault('redirect_uri', 'redirect_uri was given more than once.')
  if (!isRegisteredRedirectUri(client, redirectUri)) throw fault('redirect_uri', 'redirect_uri is not registered for this client.')
  return { client, redirectUri }
}

/**
 * The checks whose failure goes back to the client: every parameter once, `response_type=code`,
 * a scope within the client's, a `state`, and a PKCE S256 challenge (`plain` is refused).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.4.1
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 * @throws OAuthError `invalid_request`, `unsupported_response_type` or `invalid_scope`.
 */
export function validateRequest(verified: VerifiedRedirect, { params, repeated }: ParsedParams): AuthorizationRequest {
  if (repeated[0] !== undefined) throw new InvalidRequestError(`Parameter ${safeName(repeated[0])} was given more than once.`)
  if (params.response_type === undefined) throw new InvalidRequestError('response_type is required.')
  if (params.response_type !== 'code') throw new UnsupportedResponseTypeError()
  const scope = allowedScope(verified.client, params.scope)
  if (params.state === undefined) throw new InvalidRequestError('state is required.')
  if (params.code_challenge === undefined) throw new InvalidRequestError('code_challenge is required (PKCE).')
  if (!PKCE_VALUE.test(params.code_challenge))
    throw new InvalidRequestError('code_challenge must be 43-128 characters of A-Z a-z 0-9 - . _ ~.')
  if (params.code_challenge_method !== 'S256') throw new InvalidRequestError('code_challenge_method must be S256.')
  return { ...verified, scope, state: params.state, codeChallenge: params.code_challenge, promptNone: params.prompt === 'none' }
}

/** A missing scope fails too: there is no default scope (RFC 6749 §3.3). */
function allowedScope(client: ClientOptions, scope: string | undefined): string {
  if (scope === undefined) throw new InvalidScopeError('scope is required.')
  const tokens = new Set(scope.split(' '))
  const allowed = new Set(client.scopes ?? [])
  for (const token of tokens) if (!allowed.has(token)) throw new InvalidScopeError('scope asks for a scope this client may not request.')
  return [...tokens].join(' ')
}
