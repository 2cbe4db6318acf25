/**
 * The one base class of every error the router answers with. Handlers throw; one renderer per
 * route turns the error into problem+json, an OAuth error body or the Capture envelope.
 * `code` is a stable string to switch on: the problem slug, the OAuth `error`, or the Capture
 * error name.
 */
export abstract class AuthcodeError extends Error {
  /** A stable identifier of what went wrong. */
  abstract readonly code: string
  /** What the caller is told, in the shape of its protocol. */
  abstract readonly description: string
  readonly headers: Record<string, string>

  constructor(
    /** The HTTP status the error is answered with. */
    readonly status: number,
    message: string,
    headers: Record<string, string> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause })
    this.headers = headers
  }
}
