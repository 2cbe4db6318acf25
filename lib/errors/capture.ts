import { AuthcodeError } from './authcode-error.js'
import type { OAuthErrorCode } from './oauth.js'

/**
 * Capture error names with their numeric code and the HTTP status they are answered with.
 * @see https://techdocs.akamai.com/identity-cloud-auth/reference/registration-error-codes
 */
export const CAPTURE_ERRORS = {
  missing_argument: { captureCode: 100, status: 400 },
  invalid_argument: { captureCode: 200, status: 400 },
  duplicate_argument: { captureCode: 201, status: 400 },
  record_not_found: { captureCode: 310, status: 404 },
  invalid_client_credentials: { captureCode: 402, status: 401 },
  client_permission_error: { captureCode: 403, status: 403 },
  api_limit_error: { captureCode: 510, status: 429 },
  unexpected_error: { captureCode: 500, status: 500 },
} as const

/** The `error` string of a Capture error envelope; stable for callers to switch on. */
export type CaptureErrorName = keyof typeof CAPTURE_ERRORS

/** Options of a {@link CaptureError}. */
export interface CaptureErrorInit {
  /** The form parameter at fault, answered as `argument_name` as Capture does. */
  argumentName?: string
  headers?: Record<string, string>
  /** The HTTP status, when it is not the one {@link CAPTURE_ERRORS} gives the name (e.g. 503). */
  status?: number
}

/**
 * An error of Capture's API, answered in the Capture envelope (`{ stat: "error", code, error,
 * error_description, request_id }`). `code` is the error name (`invalid_argument`), and
 * `captureCode` the number the envelope's `code` carries (200). Its failure class follows its
 * HTTP status (401 and 403 `unauthenticated`, 429 `rate_limited`, 5xx `server`, else `invalid`).
 * @see https://techdocs.akamai.com/identity-cloud-auth/reference/registration-error-codes
 */
export class CaptureError extends AuthcodeError {
  override name = 'CaptureError'
  readonly protocol = 'capture'
  /** Capture's numeric error code (100, 200, …). */
  readonly captureCode: number
  readonly argumentName: string | undefined

  constructor(
    readonly code: CaptureErrorName,
    readonly description: string,
    init: CaptureErrorInit = {},
  ) {
    const { captureCode, status } = CAPTURE_ERRORS[code]
    super(init.status ?? status, description, init.headers)
    this.captureCode = captureCode
    this.argumentName = init.argumentName
  }
}

/**
 * How Capture's `/oauth/token` names its errors: the envelope's `error` is the OAuth 2.0
 * error (RFC 6749 §5.2) a token client switches on, and its `code` Capture's number for that
 * fault — 100/200/201 for a missing, invalid or repeated argument, 402 for client
 * credentials, 415 for an authorization code that cannot be redeemed (unknown, expired,
 * used, or bound to another client, redirect URI or kind), 510 for the rate limit and 500 for
 * the server. A Capture error thrown on that route answers with the OAuth name its
 * {@link CAPTURE_ERRORS} name stands for.
 * @see https://techdocs.akamai.com/identity-cloud-auth/reference/registration-error-codes
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export const CAPTURE_OAUTH_ERRORS = {
  /** Capture's number for each OAuth error; one missing here answers 200 (`invalid_argument`). */
  codes: {
    invalid_request: 200,
    invalid_client: 402,
    invalid_grant: 415,
    unauthorized_client: 403,
    unsupported_grant_type: 200,
    server_error: 500,
    temporarily_unavailable: 500,
  } as Partial<Record<OAuthErrorCode, number>>,
  /** The OAuth name of each Capture error; the rate limit, which OAuth has no name for, keeps Capture's. */
  names: {
    missing_argument: 'invalid_request',
    invalid_argument: 'invalid_request',
    duplicate_argument: 'invalid_request',
    record_not_found: 'invalid_grant',
    invalid_client_credentials: 'invalid_client',
    client_permission_error: 'unauthorized_client',
    api_limit_error: 'api_limit_error',
    unexpected_error: 'server_error',
  } satisfies Record<CaptureErrorName, OAuthErrorCode | 'api_limit_error'>,
} as const
