// The OAuth errors of the authorization endpoint only.
import { OAuthError } from './oauth.js'

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 */
export class UnsupportedResponseTypeError extends OAuthError {
  override name = 'UnsupportedResponseTypeError'
  constructor() {
    super('unsupported_response_type', 'Only response_type=code is supported.')
  }
}

/**
 * The user did not approve the client on the consent page.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class AccessDeniedError extends OAuthError {
  override name = 'AccessDeniedError'
  constructor() {
    super('access_denied', 'The user did not approve the request.')
  }
}

/**
 * The client needs the user's approval, and the request may not show the consent page
 * (`prompt=none`), or there is no consent page.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError
 */
export class ConsentRequiredError extends OAuthError {
  override name = 'ConsentRequiredError'
  constructor() {
    super('consent_required', 'The user has not approved this client.')
  }
}

/**
 * Nobody is signed in and the request may not show a login page (`prompt=none`).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError
 */
export class LoginRequiredError extends OAuthError {
  override name = 'LoginRequiredError'
  constructor(description = 'The user is not signed in.') {
    super('login_required', description)
  }
}

/**
 * A `request_uri` that is unknown, expired, spent or another client's: shown to the user, never
 * redirected, since nothing the request says can be trusted to be the client's.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-4
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-7
 */
export class InvalidRequestUriError extends OAuthError {
  override name = 'InvalidRequestUriError'
  constructor() {
    super('invalid_request_uri', "The request_uri is unknown, expired, already used, or not this client's.")
  }

  override get redirectAs(): undefined {
    return undefined
  }
}
