import { AuthcodeError } from './authcode-error.js'

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
 * `captureCode` the number the envelope's `code` carries (200).
 * @see https://techdocs.akamai.com/identity-cloud-auth/reference/registration-error-codes
 */
export class CaptureError extends AuthcodeError {
  override name = 'CaptureError'
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
