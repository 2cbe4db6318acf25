import type { Response } from 'express'
import { randomBytes } from 'node:crypto'
import type { AuthcodeError } from '../../errors/authcode-error.js'
import { CAPTURE_OAUTH_ERRORS, CaptureError } from '../../errors/capture.js'
import { DuplicateParameterError, OAuthError } from '../../errors/oauth.js'
import { RateLimitedError, StoreUnavailableError } from '../../errors/problems.js'
import { sendJson } from '../send.js'

/** Any error as the Capture error it answers as: the router's errors mapped onto Capture's codes. */
function toCaptureError(err: AuthcodeError): CaptureError {
  if (err instanceof CaptureError) return err
  if (err instanceof DuplicateParameterError)
    return new CaptureError('duplicate_argument', err.description, { argumentName: err.parameter })
  if (err instanceof RateLimitedError) return new CaptureError('api_limit_error', err.description, { headers: err.headers })
  if (err instanceof OAuthError || err.status < 500) return new CaptureError('invalid_argument', err.description)
  const description = err instanceof StoreUnavailableError ? err.description : 'An unexpected error occurred.'
  return new CaptureError('unexpected_error', description, { headers: err.headers })
}

/** Statuses the envelope keeps from the error itself rather than from the Capture error name. */
const KEPT_STATUSES = new Set([413, 415, 503])

function statusOf(err: AuthcodeError, capture: CaptureError): number {
  return KEPT_STATUSES.has(err.status) && !(err instanceof CaptureError) ? err.status : capture.status
}

/** What one Capture envelope says. */
interface Envelope {
  code: number
  error: string
  description: string
  argumentName?: string | undefined
}

/** `{ stat: "error", code, error, error_description, argument_name?, request_id }`, with a 16-character `request_id`. */
function sendEnvelope(res: Response, status: number, envelope: Envelope, headers: Record<string, string>): void {
  const body = {
    stat: 'error',
    code: envelope.code,
    error: envelope.error,
    error_description: envelope.description,
    ...(envelope.argumentName === undefined ? {} : { argument_name: envelope.argumentName }),
    request_id: randomBytes(12).toString('base64url'),
  }
  sendJson(res, status, body, { headers })
}

/**
 * The Capture error envelope. The HTTP status is the real one (Capture's own numeric `code`
 * stays in the body); 413 and 415 keep theirs, and an unavailable store answers 503.
 * @see https://techdocs.akamai.com/identity-cloud-auth/reference/registration-error-codes
 */
export function renderCapture(err: AuthcodeError, res: Response): void {
  const capture = toCaptureError(err)
  const envelope = { code: capture.captureCode, error: capture.code, description: capture.description, argumentName: capture.argumentName }
  sendEnvelope(res, statusOf(err, capture), envelope, capture.headers)
}

/**
 * The Capture envelope of Capture's `/oauth/token`: `error` is the OAuth 2.0 error name and
 * `code` Capture's number for it ({@link CAPTURE_OAUTH_ERRORS}); an unavailable store is
 * `temporarily_unavailable` with HTTP 503. Sent with `Pragma: no-cache` besides `no-store`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://techdocs.akamai.com/identity-cloud/docs/exchange-an-authorization-code
 */
export function renderCaptureOAuth(err: AuthcodeError, res: Response): void {
  res.setHeader('Pragma', 'no-cache')
  if (err instanceof OAuthError && !(err instanceof DuplicateParameterError)) {
    const envelope = { code: CAPTURE_OAUTH_ERRORS.codes[err.code] ?? 200, error: err.code, description: err.description }
    sendEnvelope(res, err.status, envelope, err.headers)
    return
  }
  const capture = toCaptureError(err)
  const error = err instanceof StoreUnavailableError ? 'temporarily_unavailable' : CAPTURE_OAUTH_ERRORS.names[capture.code]
  const envelope = { code: capture.captureCode, error, description: capture.description, argumentName: capture.argumentName }
  sendEnvelope(res, statusOf(err, capture), envelope, capture.headers)
}
