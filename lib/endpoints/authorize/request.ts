import type { ClientOptions } from '../../../types/options.js'
import type { ClientDirectory, KnownClient } from '../../clients/directory.js'
import { S256_CHALLENGE } from '../../engine/pkce.js'
import { isRegisteredRedirectUri, isResourceIndicator } from '../../engine/redirect-uri.js'
import { InvalidRequestError, InvalidScopeError, InvalidTargetError } from '../../errors/oauth.js'
import { UnsupportedResponseTypeError } from '../../errors/oauth-authorize.js'
import { ValidationError } from '../../errors/problems.js'
import { safeName, type ParsedParams } from '../../http/params.js'

/** An authorization request whose client and redirect URI are verified. */
export interface VerifiedRedirect {
  client: KnownClient
  redirectUri: string
}

/** What `prompt` and `max_age` ask of the sign-in and consent. */
export interface Prompt {
  /** `prompt=none`: answer without showing a page; fail instead. */
  none: boolean
  /** `prompt=login`: the user signs in afresh. */
  login: boolean
  /** `prompt=consent`: the user approves the client again. */
  consent: boolean
  /** `max_age` in seconds: the sign-in may be at most that old. */
  maxAge?: number
}

/** A valid authorization request: what the code will be bound to. */
export interface AuthorizationRequest extends VerifiedRedirect {
  /** The requested scope tokens, each one the client's, without repeats, space-separated. */
  scope: string
  state: string | undefined
  codeChallenge: string
  /** RFC 8707 resource indicators, in the order given; empty when none. */
  resource: string[]
  prompt: Prompt
  /** `dpop_jkt`: the thumbprint of the DPoP key the code is bound to. @see https://www.rfc-editor.org/rfc/rfc9449#section-10 */
  dpopJkt?: string
}

/**
 * The checks whose failure must be shown to the user and never redirected: `client_id` names
 * a registered client and `redirect_uri` is, exactly, one of its redirect URIs (each given
 * once). A `client_id` that is a metadata document's URL is fetched here (or read from the
 * cache), and a document that cannot be fetched or is invalid fails here too: its redirect URIs
 * are unknown. Nothing from the request is echoed in the error.
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.1.3
 * @throws ValidationError (400) pointing at `client_id` or `redirect_uri`; MetadataDocumentError (400) for a document that failed.
 */
export async function verifyRedirect(clients: ClientDirectory, { params, repeated }: ParsedParams): Promise<VerifiedRedirect> {
  const fault = (name: string, detail: string) => new ValidationError([{ detail, pointer: `#/query/${name}` }])
  const clientId = params.client_id
  if (clientId === undefined) throw fault('client_id', 'client_id is required.')
  if (repeated.includes('client_id')) throw fault('client_id', 'client_id was given more than once.')
  const client = await clients.find(clientId)
  if (!client) throw fault('client_id', 'client_id does not name a registered client.')
  const redirectUri = params.redirect_uri
  if (redirectUri === undefined) throw fault('redirect_uri', 'redirect_uri is required.')
  if (repeated.includes('redirect_uri')) throw fault('redirect_uri', 'redirect_uri was given more than once.')
  if (!isRegisteredRedirectUri(client, redirectUri)) throw fault('redirect_uri', 'redirect_uri is not registered for this client.')
  return { client, redirectUri }
}

/**
 * The checks whose failure goes back to the client: every parameter once (but `resource`),
 * `response_type=code`, a scope within the client's, a `state` unless `requireState` is off
 * (PKCE then protects against CSRF), an S256 challenge (`plain` is refused), resource
 * indicators the client may ask for, and well-formed `prompt` and `max_age`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.4.1
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 * @throws OAuthError `invalid_request`, `unsupported_response_type`, `invalid_scope` or `invalid_target`.
 */
export function validateRequest(
  verified: VerifiedRedirect,
  { params, repeated, lists }: ParsedParams,
  { requireState, defaultResource }: { requireState: boolean; defaultResource?: string | undefined },
): AuthorizationRequest {
  if (repeated[0] !== undefined) throw new InvalidRequestError(`Parameter ${safeName(repeated[0])} was given more than once.`)
  if (params.response_type === undefined) throw new InvalidRequestError('response_type is required.')
  if (params.response_type !== 'code') throw new UnsupportedResponseTypeError()
  const scope = allowedScope(verified.client, params.scope)
  if (params.state === undefined && requireState) throw new InvalidRequestError('state is required.')
  if (params.code_challenge === undefined) throw new InvalidRequestError('code_challenge is required (PKCE).')
  if (params.code_challenge_method !== 'S256') throw new InvalidRequestError('code_challenge_method must be S256.')
  if (!S256_CHALLENGE.test(params.code_challenge)) {
    throw new InvalidRequestError('code_challenge must be the 43-character base64url SHA-256 of the code_verifier.')
  }
  return {
    ...verified,
    scope,
    state: params.state,
    codeChallenge: params.code_challenge,
    resource: allowedResources(verified.client, lists.resource ?? [], defaultResource),
    prompt: readPrompt(params.prompt, params.max_age),
    ...(params.dpop_jkt === undefined ? {} : { dpopJkt: readDpopJkt(params.dpop_jkt) }),
  }
}

/** A missing scope fails too: there is no default scope (RFC 6749 §3.3). */
function allowedScope(client: ClientOptions, scope: string | undefined): string {
  if (scope === undefined) throw new InvalidScopeError('scope is required.')
  const tokens = new Set(scope.split(' '))
  const allowed = new Set(client.scopes ?? [])
  for (const token of tokens) if (!allowed.has(token)) throw new InvalidScopeError('scope asks for a scope this client may not request.')
  return [...tokens].join(' ')
}

/**
 * Absolute URIs without fragment, each one the client may ask for when it lists `resources`.
 * None asked for: the client's only listed resource, else `defaultResource` when set (MCP
 * clients that send no `resource`, clients that arrived by URL or registration), else none.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
function allowedResources(client: ClientOptions, requested: string[], defaultResource: string | undefined): string[] {
  if (requested.length === 0) {
    const only = client.resources?.length === 1 ? client.resources[0] : defaultResource
    return only === undefined ? [] : [only]
  }
  for (const resource of requested) {
    if (!isResourceIndicator(resource)) throw new InvalidTargetError('resource must be an absolute URI without a fragment.')
    if (client.resources && !client.resources.includes(resource))
      throw new InvalidTargetError('resource names a resource this client may not ask for.')
  }
  return [...new Set(requested)]
}

/** An RFC 7638 SHA-256 JWK thumbprint: 43 base64url characters. @see https://www.rfc-editor.org/rfc/rfc9449#section-10 */
function readDpopJkt(value: string): string {
  if (!/^[A-Za-z0-9_-]{43}$/.test(value))
    throw new InvalidRequestError('dpop_jkt must be the base64url SHA-256 thumbprint of a JWK (RFC 7638).')
  return value
}

/**
 * `prompt` is a space-separated list: `none` alone, or `login` and `consent`; other values
 * (such as `select_account`) are not refused, and change nothing. `max_age` is a whole number of seconds.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
function readPrompt(prompt: string | undefined, maxAge: string | undefined): Prompt {
  const values = new Set(prompt?.split(' ').filter(Boolean))
  if (values.has('none') && values.size > 1) throw new InvalidRequestError('prompt=none cannot be combined with other prompt values.')
  if (maxAge !== undefined && !/^\d{1,9}$/.test(maxAge)) throw new InvalidRequestError('max_age must be a whole number of seconds.')
  return {
    none: values.has('none'),
    login: values.has('login'),
    consent: values.has('consent'),
    ...(maxAge === undefined ? {} : { maxAge: Number(maxAge) }),
  }
}
