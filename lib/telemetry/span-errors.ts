import { SpanStatusCode, type Span } from '@opentelemetry/api'
import { AuthcodeError } from '../errors/authcode-error.js'

/** A stable name for what went wrong: the error's slug or OAuth/Capture code, else its class name. Never its message, which may carry input. */
export function errorType(err: unknown): string {
  if (err instanceof AuthcodeError) return err.code
  return err instanceof Error ? err.name : typeof err
}

/**
 * Records an error on a span by its {@link errorType} alone: as `error.type`, and, when it
 * failed what the span stands for (`failed`), as an exception event and an error status. No
 * message or stack trace is recorded: a message may carry a code, a secret or a subject.
 * @see https://opentelemetry.io/docs/specs/semconv/general/recording-errors/
 */
export function recordError(span: Span, err: unknown, failed = true): void {
  const type = errorType(err)
  span.setAttribute('error.type', type)
  if (!failed) return
  span.recordException({ name: err instanceof Error ? err.name : 'Error', message: type })
  span.setStatus({ code: SpanStatusCode.ERROR, message: type })
}
