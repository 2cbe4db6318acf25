import type { AuthcodeError } from '../errors/authcode-error.js'
import { AccessDeniedError, LoginRequiredError } from '../errors/oauth.js'
import { RateLimitedError, StoreUnavailableError } from '../errors/problems.js'
import type { Rejection } from './telemetry.js'

/**
 * The reason `authcode.requests.rejected` counts an error under, or `undefined` for what no
 * endpoint refused: a failure of the server itself (a 5xx other than an unavailable store), which
 * is logged instead, and a user's refusal on the consent page, which is the user's answer.
 */
export function rejectionOf(err: AuthcodeError): Rejection | undefined {
  if (err instanceof AccessDeniedError) return undefined
  if (err instanceof StoreUnavailableError) return 'store_unavailable'
  if (err instanceof RateLimitedError) return 'rate_limited'
  if (err.status === 401 || err.status === 403 || err instanceof LoginRequiredError) return 'unauthenticated'
  return err.status < 500 ? 'invalid' : undefined
}
