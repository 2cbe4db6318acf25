import type { Response } from 'express'
import { randomBytes } from 'node:crypto'
import type { RouterError } from '../../errors/authcode-error.js'
import { CAPTURE_OAUTH_ERRORS, CaptureError } from '../../errors/capture.js'
import { sendJson } from '../../http/send.js'

/**
 * Any error as the Capture error it answers as: a Capture error as it is, a parameter given twice
 * as `duplicate_argument`, and the rest by failure class. A failure of the server says nothing of
 * itself but for an unavailable store, which says to retry.
 */
function toCaptureError(err: RouterError): CaptureError {
  if (err.protocol === 'capture') return err
  if (err.duplicateParameter !== undefined) {
    return new CaptureError('duplicate_argument', err.description, { argumentName: err.duplicateParameter })
  }
  switch (err.failure) {
    case 'rate_limited':
      return new CaptureError('api_limit_error', err.description, { headers: err.headers })
    case 'unavailable':
      return new CaptureError('unexpected_error', err.description, { headers: err.headers })
    case 'server':
    case 'host':
      return new CaptureError('unexpected_error', 'An unexpected error occurred.', { headers: err.headers })
    default:
      return new CaptureError('invalid_argument', err.description)
  }
}

/** Statuses of a body the server refused to read (too large, an unsupported charset or encoding), which the envelope keeps. */
const BODY_STATUSES = new Set([413, 415])

/** The HTTP status of the envelope: a Capture error's own; the error's own for a body refused or an unavailable store; else the Capture name's. */
function statusOf(err: RouterError, capture: CaptureError): number {
  if (err.protocol === 'capture') return err.status
  return BODY_STATUSES.has(err.status) || err.failure === 'unavailable' ? err.status : capture.status
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
 * The Capture error envelope of `getAuthorizationCode`. The HTTP status is the real one
 * (Capture's own numeric `code` stays in the body); 413 and 415 keep theirs, and an unavailable
 * store answers 503.
 * @see https://techdocs.akamai.com/identity-cloud-auth/reference/registration-error-codes
 */
export function renderCapture(err: RouterError, res: Response): void {
  const capture = toCaptureError(err)
  const envelope = { code: capture.captureCode, error: capture.code, description: capture.description, argumentName: capture.argumentName }
  sendEnvelope(res, statusOf(err, capture), envelope, capture.headers)
}

/**
 * The Capture envelope of Capture's `/oauth/token`: `error` is the OAuth 2.0 error name and
 * `code` Capture's number for it ({@link CAPTURE_OAUTH_ERRORS}); a parameter given twice keeps
 * Capture's `duplicate_argument` number and `argument_name`; an unavailable store is
 * `temporarily_unavailable` with HTTP 503. Sent with `Pragma: no-cache` besides `no-store`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://techdocs.akamai.com/identity-cloud/docs/exchange-an-authorization-code
 */
export function renderCaptureOAuth(err: RouterError, res: Response): void {
  res.setHeader('Pragma', 'no-cache')
  if (err.protocol === 'oauth' && err.duplicateParameter === undefined) {
    const envelope = { code: CAPTURE_OAUTH_ERRORS.codes[err.code] ?? 200, error: err.code, description: err.description }
    sendEnvelope(res, err.status, envelope, err.headers)
    return
  }
  const capture = toCaptureError(err)
  const error = err.failure === 'unavailable' ? 'temporarily_unavailable' : CAPTURE_OAUTH_ERRORS.names[capture.code]
  const envelope = { code: capture.captureCode, error, description: capture.description, argumentName: capture.argumentName }
  sendEnvelope(res, statusOf(err, capture), envelope, capture.headers)
}
