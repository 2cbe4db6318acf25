import type { Response } from 'express'
import { randomBytes } from 'node:crypto'
import type { AuthcodeError } from '../../errors/authcode-error.js'
import { CaptureError } from '../../errors/capture.js'
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

/**
 * The Capture error envelope, with a 16-character `request_id`. The HTTP status is the real
 * one (Capture's own numeric `code` stays in the body); 413 and 415 keep theirs, and an
 * unavailable store answers 503.
 * @see https://techdocs.akamai.com/identity-cloud-auth/reference/registration-error-codes
 */
export function renderCapture(err: AuthcodeError, res: Response): void {
  const capture = toCaptureError(err)
  const status = KEPT_STATUSES.has(err.status) && !(err instanceof CaptureError) ? err.status : capture.status
  const body = {
    stat: 'error',
    code: capture.captureCode,
    error: capture.code,
    error_description: capture.description,
    ...(capture.argumentName === undefined ? {} : { argument_name: capture.argumentName }),
    request_id: randomBytes(12).toString('base64url'),
  }
  sendJson(res, status, body, { headers: capture.headers })
}
