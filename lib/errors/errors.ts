/**
 * One hierarchy for every error the router renders. Handlers throw; `render-error.ts`
 * turns the error into problem+json, an OAuth error body or (per endpoint) another shape.
 */

/** A field fault inside a problem's `errors` list. */
export interface FieldError {
  detail: string
  /** JSON Pointer into the body (`#/ttl`) or the query (`#/query/state`). */
  pointer: string
}

export interface ProblemInit {
  detail?: string
  errors?: FieldError[]
  headers?: Record<string, string>
  cause?: unknown
}

/**
 * An RFC 9457 problem. `slug` is the last path segment of the problem `type`.
 * @see https://www.rfc-editor.org/rfc/rfc9457#section-3.1
 */
export class ProblemError extends Error {
  override name = 'ProblemError'
  readonly detail: string | undefined
  readonly errors: FieldError[] | undefined
  readonly headers: Record<string, string>

  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    init: ProblemInit = {},
  ) {
    super(init.detail ?? title, init.cause === undefined ? undefined : { cause: init.cause })
    this.detail = init.detail
    this.errors = init.errors
    this.headers = init.headers ?? {}
  }
}

/** 400 with every field fault listed. */
export class ValidationError extends ProblemError {
  constructor(errors: FieldError[]) {
    super(400, 'validation-error', 'Your request is not valid.', {
      detail: errors.map((e) => e.detail).join('; '),
      errors,
    })
  }
}

/** Redis (or another store) is unreachable or too slow: retry shortly. */
export class StoreUnavailableError extends ProblemError {
  constructor(cause?: unknown) {
    super(503, 'store-unavailable', 'The code store is unavailable.', {
      detail: 'The code store did not answer in time. Retry shortly.',
      headers: { 'Retry-After': '1' },
      cause,
    })
  }
}

/** A host event handler threw; what it was to confirm did not happen. */
export class EventHandlerFailedError extends ProblemError {
  constructor(type: string, cause: unknown) {
    super(500, 'event-handler-failed', 'An event handler failed.', {
      detail: `A handler of ${type} threw; the operation was rolled back where possible.`,
      cause,
    })
  }
}

/** Too many requests for one key of a rate limit. */
export class RateLimitedError extends ProblemError {
  constructor(retryAfterSeconds: number) {
    super(429, 'rate-limited', 'Too many requests.', {
      detail: `Rate limit exceeded. Retry in ${retryAfterSeconds} s.`,
      headers: { 'Retry-After': String(retryAfterSeconds) },
    })
  }
}

/** The library was mounted or called in a way that cannot work (a host bug, not bad input). */
export class MisconfigurationError extends ProblemError {
  constructor(detail: string) {
    super(500, 'misconfigured', 'The authorization server is misconfigured.', { detail })
  }
}

/**
 * OAuth 2.0 error codes of the token and authorization endpoints.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
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
  | 'login_required'
  | 'server_error'
  | 'temporarily_unavailable'

/** An OAuth 2.0 error; `code` is the RFC's `error` value, stable for callers to switch on. */
export class OAuthError extends Error {
  override name = 'OAuthError'
  readonly headers: Record<string, string>

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly status = 400,
    headers: Record<string, string> = {},
  ) {
    super(description)
    this.headers = headers
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

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 */
export class UnsupportedGrantTypeError extends OAuthError {
  override name = 'UnsupportedGrantTypeError'
  constructor() {
    super('unsupported_grant_type', 'Only grant_type=authorization_code is supported.')
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
}

/**
 * Capture error names with their numeric `code` and the HTTP status they are answered with.
 * @see https://techdocs.akamai.com/identity-cloud-auth/reference/registration-error-codes
 */
export const CAPTURE_ERRORS = {
  missing_argument: { code: 100, status: 400 },
  invalid_argument: { code: 200, status: 400 },
  duplicate_argument: { code: 201, status: 400 },
  record_not_found: { code: 310, status: 404 },
  invalid_client_credentials: { code: 402, status: 401 },
  client_permission_error: { code: 403, status: 403 },
  api_limit_error: { code: 510, status: 429 },
  unexpected_error: { code: 500, status: 500 },
} as const

/** The `error` string of a Capture error envelope; stable for callers to switch on. */
export type CaptureErrorName = keyof typeof CAPTURE_ERRORS

/** Options of a {@link CaptureError}. */
export interface CaptureErrorInit {
  /** The form parameter at fault, answered as `argument_name` as Capture does. */
  argumentName?: string
  headers?: Record<string, string>
}

/**
 * An error of Capture's `getAuthorizationCode`, answered in the Capture envelope
 * (`{ stat: "error", code, error, error_description, request_id }`); elsewhere a problem
 * whose slug is the error name with dashes.
 * @see https://techdocs.akamai.com/identity-cloud-auth/reference/registration-error-codes
 */
export class CaptureError extends ProblemError {
  override name = 'CaptureError'
  /** Capture's numeric error code (100, 200, …). */
  readonly code: number
  readonly argumentName: string | undefined

  constructor(
    readonly error: CaptureErrorName,
    description: string,
    init: CaptureErrorInit = {},
  ) {
    const { code, status } = CAPTURE_ERRORS[error]
    super(status, error.replaceAll('_', '-'), error, { detail: description, ...(init.headers ? { headers: init.headers } : {}) })
    this.code = code
    this.argumentName = init.argumentName
  }
}

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 */
export class UnsupportedResponseTypeError extends OAuthError {
  override name = 'UnsupportedResponseTypeError'
  constructor() {
    super('unsupported_response_type', 'Only response_type=code is supported.')
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
 * Nobody is signed in and the request may not show a login page (`prompt=none`).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError
 */
export class LoginRequiredError extends OAuthError {
  override name = 'LoginRequiredError'
  constructor() {
    super('login_required', 'The user is not signed in.')
  }
}
