import { AuthcodeError, type FailureClass } from './authcode-error.js'

/**
 * OAuth 2.0 error codes of the token and authorization endpoints, of dynamic registration, of a
 * bearer token refused, and of a DPoP proof refused.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'invalid_target'
  | 'login_required'
  | 'consent_required'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_token'
  | 'invalid_request_uri'
  | 'invalid_dpop_proof'

/** OAuth errors whose failure class their status does not tell: `login_required` is a 400 for nobody signed in. */
const OAUTH_FAILURES: Partial<Record<OAuthErrorCode, FailureClass>> = { login_required: 'unauthenticated' }

/**
 * An OAuth 2.0 error; `code` is the RFC's `error` value, stable for callers to switch on. Its
 * failure class follows its status (401 and 403 `unauthenticated`, 429 `rate_limited`, 5xx
 * `server`, else `invalid`), but `login_required` is `unauthenticated`; `/authorize` redirects
 * it as its own `code`.
 */
export class OAuthError extends AuthcodeError {
  override name = 'OAuthError'
  readonly protocol = 'oauth'

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    status = 400,
    headers: Record<string, string> = {},
  ) {
    super(status, description, headers, undefined, OAUTH_FAILURES[code])
  }

  /** Its own `error`: every OAuth error but {@link InvalidRequestUriError} goes back to the client once the redirect URI is verified. */
  override get redirectAs(): OAuthErrorCode | undefined {
    return this.code
  }
}

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 */
export class InvalidRequestError extends OAuthError {
  override name = 'InvalidRequestError'
  constructor(description: string, status = 400) {
    super('invalid_request', description, status)
  }
}

/**
 * The client could not be authenticated. 401, with `WWW-Authenticate: Basic` when the
 * client tried HTTP Basic.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class InvalidClientError extends OAuthError {
  override name = 'InvalidClientError'
  constructor(description: string, usedBasic: boolean) {
    super('invalid_client', description, 401, usedBasic ? { 'WWW-Authenticate': 'Basic realm="token", charset="UTF-8"' } : {})
  }
}

/**
 * The code is unknown, expired, used, or bound to another client, redirect URI or verifier.
 * `auth.redeem()` rejects with it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class InvalidGrantError extends OAuthError {
  override name = 'InvalidGrantError'
  constructor(description = 'The authorization code is invalid, expired or already used.') {
    super('invalid_grant', description)
  }
}

/**
 * A `grant_type` the endpoint does not take; the description names the ones it does.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class UnsupportedGrantTypeError extends OAuthError {
  override name = 'UnsupportedGrantTypeError'
  constructor(supported: readonly string[] = ['authorization_code']) {
    super('unsupported_grant_type', `Only grant_type=${supported.join(' and ')} ${supported.length > 1 ? 'are' : 'is'} supported.`)
  }
}

/**
 * The authenticated client may not use this grant type (a client opted out of refresh tokens).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class UnauthorizedClientError extends OAuthError {
  override name = 'UnauthorizedClientError'
  constructor(description: string) {
    super('unauthorized_client', description)
  }
}

/**
 * A form parameter was given twice. An {@link InvalidRequestError} on OAuth routes; Capture
 * routes answer it as `duplicate_argument`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export class DuplicateParameterError extends InvalidRequestError {
  override name = 'DuplicateParameterError'
  constructor(readonly parameter: string) {
    super(`Parameter ${parameter} was given more than once.`)
  }

  override get duplicateParameter(): string {
    return this.parameter
  }
}

/**
 * The scope is missing, malformed, or asks for more than the client is registered for.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class InvalidScopeError extends OAuthError {
  override name = 'InvalidScopeError'
  constructor(description: string) {
    super('invalid_scope', description)
  }
}

/**
 * A resource indicator is malformed, not one the client may ask for, or (at `/token`) not one
 * the code was issued for.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export class InvalidTargetError extends OAuthError {
  override name = 'InvalidTargetError'
  constructor(description: string) {
    super('invalid_target', description)
  }
}

/**
 * A `DPoP` header that is not one valid, fresh, unused proof for this request: 400
 * `invalid_dpop_proof`. Its description says which check failed and never repeats the proof.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 */
export class InvalidDpopProofError extends OAuthError {
  override name = 'InvalidDpopProofError'
  constructor(description: string) {
    super('invalid_dpop_proof', description)
  }
}
