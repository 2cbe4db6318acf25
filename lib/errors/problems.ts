import { AuthcodeError, type FailureClass } from './authcode-error.js'

/**
 * Every problem the router answers with: slug → HTTP status, title and failure class (how the
 * endpoints, the log and the telemetry treat it). The slug is the last path segment of the
 * problem `type`; docs/reference.md's error reference lists exactly these.
 * @see https://www.rfc-editor.org/rfc/rfc9457#section-3.1
 */
export const PROBLEMS = {
  'validation-error': { status: 400, title: 'Your request is not valid.', failure: 'invalid' },
  'malformed-json': { status: 400, title: 'The body is not valid JSON.', failure: 'invalid' },
  'malformed-request': { status: 400, title: 'The request could not be read.', failure: 'invalid' },
  'invalid-request': { status: 400, title: 'The Authorization header is malformed.', failure: 'invalid' },
  'idempotency-key-missing': { status: 400, title: 'The Idempotency-Key header is missing.', failure: 'invalid' },
  'idempotency-key-invalid': { status: 400, title: 'The Idempotency-Key header is not valid.', failure: 'invalid' },
  unauthorized: { status: 401, title: 'Authentication is required.', failure: 'unauthenticated' },
  'insufficient-scope': { status: 403, title: 'The access token lacks a required scope.', failure: 'unauthenticated' },
  'method-not-allowed': { status: 405, title: 'The method is not allowed here.', failure: 'invalid' },
  'idempotency-key-in-flight': { status: 409, title: 'A request with this Idempotency-Key is still being processed.', failure: 'invalid' },
  'payload-too-large': { status: 413, title: 'The request body is too large.', failure: 'invalid' },
  'unsupported-media-type': { status: 415, title: 'The media type is not supported.', failure: 'invalid' },
  'idempotency-key-reused': { status: 422, title: 'The Idempotency-Key was used for another request.', failure: 'invalid' },
  'rate-limited': { status: 429, title: 'Too many requests.', failure: 'rate_limited' },
  'internal-error': { status: 500, title: 'Internal server error.', failure: 'server' },
  'event-handler-failed': { status: 500, title: 'An event handler failed.', failure: 'server' },
  misconfigured: { status: 500, title: 'The authorization server is misconfigured.', failure: 'host' },
  'store-unavailable': { status: 503, title: 'The code store is unavailable.', failure: 'unavailable' },
  'token-verification-unavailable': { status: 503, title: 'Access tokens cannot be verified right now.', failure: 'server' },
} as const satisfies Record<string, { status: number; title: string; failure: FailureClass }>

/** A problem slug of {@link PROBLEMS}. */
export type ProblemSlug = keyof typeof PROBLEMS

/** Base of every problem `type`; the slug is its last path segment. */
export const PROBLEM_TYPE_BASE = 'https://express-authcode.dev/problems/'

/** A field fault inside a problem's `errors` list. */
export interface FieldError {
  detail: string
  /** JSON Pointer into the body (`#/ttl`) or the query (`#/query/state`). */
  pointer: string
}

/** What a problem says besides its slug. */
export interface ProblemInit {
  detail?: string
  errors?: FieldError[]
  headers?: Record<string, string>
  cause?: unknown
}

/**
 * An RFC 9457 problem of {@link PROBLEMS}; `code` is its slug.
 * @see https://www.rfc-editor.org/rfc/rfc9457#section-3.1
 */
export class ProblemError extends AuthcodeError {
  override name = 'ProblemError'
  readonly protocol = 'problem'
  readonly title: string
  readonly detail: string | undefined
  readonly errors: FieldError[] | undefined

  constructor(
    readonly code: ProblemSlug,
    init: ProblemInit = {},
  ) {
    const { status, title, failure } = PROBLEMS[code]
    super(status, init.detail ?? title, init.headers, init.cause, failure)
    this.title = title
    this.detail = init.detail
    this.errors = init.errors
  }

  /** The slug, which is also {@link ProblemError.code}. */
  get slug(): ProblemSlug {
    return this.code
  }

  get description(): string {
    return this.detail ?? this.title
  }
}

/** 400 with every field fault listed. */
export class ValidationError extends ProblemError {
  override name = 'ValidationError'
  constructor(errors: FieldError[]) {
    super('validation-error', { detail: errors.map((e) => e.detail).join('; '), errors })
  }
}

/** Redis (or another store) is unreachable or too slow: retry shortly. */
export class StoreUnavailableError extends ProblemError {
  override name = 'StoreUnavailableError'
  constructor(cause?: unknown) {
    super('store-unavailable', { detail: 'The code store did not answer in time. Retry shortly.', headers: { 'Retry-After': '1' }, cause })
  }
}

/** A host event handler threw; what it was to confirm did not happen. */
export class EventHandlerFailedError extends ProblemError {
  override name = 'EventHandlerFailedError'
  constructor(type: string, cause: unknown) {
    super('event-handler-failed', { detail: `A handler of ${type} threw; the operation was rolled back where possible.`, cause })
  }
}

/** Too many requests for one key of a rate limit. */
export class RateLimitedError extends ProblemError {
  override name = 'RateLimitedError'
  constructor(retryAfterSeconds: number) {
    super('rate-limited', {
      detail: `Rate limit exceeded. Retry in ${retryAfterSeconds} s.`,
      headers: { 'Retry-After': String(retryAfterSeconds) },
    })
  }
}

/** The library was mounted or called in a way that cannot work (a host bug, not bad input). */
export class MisconfigurationError extends ProblemError {
  override name = 'MisconfigurationError'
  constructor(detail: string) {
    super('misconfigured', { detail })
  }
}
