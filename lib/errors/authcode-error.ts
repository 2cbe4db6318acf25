import type { CaptureError } from './capture.js'
import type { OAuthError, OAuthErrorCode } from './oauth.js'
import type { ProblemError } from './problems.js'

/**
 * What class of failure an error is. Every endpoint's answer, the log and the telemetry read it,
 * never the error's class:
 * - `invalid`: the request is wrong (a parameter, a body, a code that does not redeem); 4xx.
 * - `unauthenticated`: credentials missing, wrong, or lacking a scope or role; at `/authorize`,
 *   nobody signed in; 401, 403 (or 400 for `login_required`).
 * - `rate_limited`: over a rate limit; 429 with `Retry-After`.
 * - `unavailable`: the code store did not answer; 503 with `Retry-After`. Counted, not logged.
 * - `server`: the server failed (a bug, a host hook or event handler that threw, a dependency
 *   such as the token issuer's keys); 5xx, logged.
 * - `host`: the host mounted or configured the router so that it cannot work; 500, logged, and
 *   shown to the user rather than redirected to the client.
 */
export type FailureClass = 'invalid' | 'unauthenticated' | 'rate_limited' | 'unavailable' | 'server' | 'host'

/**
 * The protocol whose vocabulary an error's `code` is from: an RFC 9457 problem slug, an OAuth 2.0
 * `error`, or a Capture error name. An endpoint that speaks that protocol answers the error as
 * it is; the others translate it by its {@link FailureClass}.
 */
export type ErrorProtocol = 'problem' | 'oauth' | 'capture'

/** Every error the router answers with, told apart by {@link AuthcodeError.protocol}. */
export type RouterError = ProblemError | OAuthError | CaptureError

/**
 * The failure class of a status, for the errors whose class their status decides (OAuth and
 * Capture errors): 401 and 403 `unauthenticated`, 429 `rate_limited`, 5xx `server`, else `invalid`.
 */
export function failureOfStatus(status: number): FailureClass {
  if (status === 401 || status === 403) return 'unauthenticated'
  if (status === 429) return 'rate_limited'
  return status >= 500 ? 'server' : 'invalid'
}

/** The OAuth `error` a failure of this server is redirected as, having none of its own. @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 */
const REDIRECTED_FAILURES: Partial<Record<FailureClass, OAuthErrorCode>> = {
  unavailable: 'temporarily_unavailable',
  server: 'server_error',
}

/**
 * The one base class of every error the router answers with. Handlers throw; one renderer per
 * route turns the error into problem+json, an OAuth error body or the Capture envelope, reading
 * what the error says of itself: its {@link AuthcodeError.failure | failure class}, its
 * {@link AuthcodeError.protocol | protocol} and the OAuth code it {@link AuthcodeError.redirectAs | redirects as}.
 * `code` is a stable string to switch on: the problem slug, the OAuth `error`, or the Capture
 * error name.
 */
export abstract class AuthcodeError extends Error {
  /** A stable identifier of what went wrong. */
  abstract readonly code: string
  /** What the caller is told, in the shape of its protocol. */
  abstract readonly description: string
  /** The vocabulary `code` is from, and so the shape the error takes where that protocol is spoken. */
  abstract readonly protocol: ErrorProtocol
  readonly headers: Record<string, string>
  /** What class of failure it is: how every endpoint answers it, whether it is logged, how it is counted. */
  readonly failure: FailureClass

  constructor(
    /** The HTTP status the error is answered with. */
    readonly status: number,
    message: string,
    headers: Record<string, string> = {},
    cause?: unknown,
    failure: FailureClass = failureOfStatus(status),
  ) {
    super(message, cause === undefined ? undefined : { cause })
    this.headers = headers
    this.failure = failure
  }

  /**
   * The OAuth `error` `/authorize` sends the error back to the client as, once the client's
   * redirect URI is verified: an OAuth error's own code, `temporarily_unavailable` for an
   * unavailable store, `server_error` for a failure of the server; `undefined` for an error that
   * is shown to the user instead (a host misconfiguration, a rate limit, a malformed request).
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
   */
  get redirectAs(): OAuthErrorCode | undefined {
    return REDIRECTED_FAILURES[this.failure]
  }

  /** The parameter given more than once, when that is what the error says (Capture answers it as `duplicate_argument`). */
  get duplicateParameter(): string | undefined {
    return undefined
  }
}

/** `err` when it is one of the router's errors, else `undefined` (anything else thrown). */
export function authcodeErrorOf(err: unknown): RouterError | undefined {
  // Every AuthcodeError is one of the three families: `protocol` is abstract.
  return err instanceof AuthcodeError ? (err as RouterError) : undefined
}
