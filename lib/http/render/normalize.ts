import { authcodeErrorOf, type RouterError } from '../../errors/authcode-error.js'
import { ProblemError, StoreUnavailableError } from '../../errors/problems.js'

/**
 * Turns anything thrown into one of the router's errors: a body parser's client faults into
 * problems, node-redis connection failures into {@link StoreUnavailableError}, and anything else
 * into a plain 500 (`internal-error`) that wraps it.
 */
export function normalizeError(err: unknown): RouterError {
  const ours = authcodeErrorOf(err)
  if (ours) return ours
  const status = httpStatusOf(err)
  if (status === 413) return new ProblemError('payload-too-large', { detail: 'The request body exceeds the limit of this endpoint.' })
  if (status === 415) return new ProblemError('unsupported-media-type', { detail: 'The body charset or encoding is not supported.' })
  if (status !== undefined && status >= 400 && status < 500) {
    return new ProblemError('malformed-request', { detail: 'The request body could not be read.' })
  }
  if (isStoreError(err)) return new StoreUnavailableError(err)
  return new ProblemError('internal-error', { cause: err })
}

function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const { status, type, expose } = err as { status?: unknown; type?: unknown; expose?: unknown }
  // body-parser marks client faults with a `type`, or (a body that fails to inflate) http-errors' `expose`.
  return typeof status === 'number' && (typeof type === 'string' || expose === true) ? status : undefined
}

const STORE_ERROR_NAMES = new Set([
  'ClientClosedError',
  'ClientOfflineError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'TimeoutError',
  'ReconnectStrategyError',
  'SocketTimeoutError',
  'AbortError',
])

/** node-redis connection, socket and timeout errors. */
function isStoreError(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  return (
    STORE_ERROR_NAMES.has(err.name) ||
    /ECONNREFUSED|ECONNRESET|EPIPE|The client is closed|Connection is closed|Socket closed/i.test(err.message)
  )
}
