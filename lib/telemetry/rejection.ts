import type { AuthcodeError, FailureClass } from '../errors/authcode-error.js'
import type { Rejection } from './telemetry.js'

/** The reason each failure class is counted under; failures of the server and the host are logged instead. */
const REJECTIONS: Record<FailureClass, Rejection | undefined> = {
  invalid: 'invalid',
  unauthenticated: 'unauthenticated',
  rate_limited: 'rate_limited',
  unavailable: 'store_unavailable',
  server: undefined,
  host: undefined,
}

/**
 * The reason `authcode.requests.rejected` counts an error under, by its failure class, or
 * `undefined` for what no endpoint refused: a failure of the server or the host, which is logged
 * instead, and a user's refusal on the consent page (`access_denied`), which is the user's answer.
 */
export function rejectionOf(err: AuthcodeError): Rejection | undefined {
  if (err.code === 'access_denied') return undefined
  return REJECTIONS[err.failure]
}

/** Whether an error is a failure on the server's side (the store, the server, the host): what marks a request span as failed. */
export function failedOnServer(err: AuthcodeError): boolean {
  return err.failure === 'unavailable' || err.failure === 'server' || err.failure === 'host'
}
