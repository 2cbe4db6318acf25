import type { ErrorRequestHandler, Request, Response } from 'express'
import { randomBytes } from 'node:crypto'
import {
  CaptureError,
  DuplicateParameterError,
  EventHandlerFailedError,
  OAuthError,
  ProblemError,
  RateLimitedError,
  StoreUnavailableError,
} from './errors.js'
import { sendJson } from '../helpers/send-json.js'
import { renderAuthorize } from './render-authorize.js'

/** The shape errors take on a route. */
export type ErrorFormat = 'problem' | 'oauth' | 'capture' | 'authorize'

/** Base of every problem `type`; the slug is its last path segment. */
export const PROBLEM_TYPE_BASE = 'https://express-authcode.dev/problems/'

/**
 * Renders the errors of a route in `format`. Mounted as the route's last handler, it runs only
 * when something on the route failed: a request that succeeds pays no layer for it.
 */
export function renderErrorsAs(format: ErrorFormat): ErrorRequestHandler {
  return function renderRouteError(err: unknown, req, res, next) {
    render(format, err, req, res, next)
  }
}

/** Turns anything thrown into one of our errors; unknown errors become a plain 500. */
export function normalizeError(err: unknown): ProblemError | OAuthError {
  if (err instanceof ProblemError || err instanceof OAuthError) return err
  const status = httpStatusOf(err)
  if (status === 413)
    return new ProblemError(413, 'payload-too-large', 'The request body is too large.', {
      detail: 'The request body exceeds the limit of this endpoint.',
    })
  if (status === 415)
    return new ProblemError(415, 'unsupported-media-type', 'The media type is not supported.', {
      detail: 'The body charset or encoding is not supported.',
    })
  if (status !== undefined && status >= 400 && status < 500) {
    return new ProblemError(400, 'malformed-request', 'The request could not be read.', { detail: 'The request body could not be read.' })
  }
  if (isStoreError(err)) return new StoreUnavailableError(err)
  return new ProblemError(500, 'internal-error', 'Internal server error.', { cause: err })
}

function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const { status, type, expose } = err as { status?: unknown; type?: unknown; expose?: unknown }
  // body-parser marks client faults with a `type`, or (a body that fails to inflate) http-errors' `expose`.
  return typeof status === 'number' && (typeof type === 'string' || expose === true) ? status : undefined
}

/** node-redis connection, socket and timeout errors. */
function isStoreError(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  return (
    /^(ClientClosedError|ClientOfflineError|ConnectionTimeoutError|SocketClosedUnexpectedlyError|TimeoutError|ReconnectStrategyError|SocketTimeoutError|AbortError)$/.test(
      err.name,
    ) || /ECONNREFUSED|ECONNRESET|EPIPE|The client is closed|Connection is closed|Socket closed/i.test(err.message)
  )
}

function problemBody(err: ProblemError): Record<string, unknown> {
  return {
    type: PROBLEM_TYPE_BASE + err.slug,
    title: err.title,
    status: err.status,
    ...(err.detail === undefined ? {} : { detail: err.detail }),
    ...(err.errors === undefined ? {} : { errors: err.errors }),
  }
}

const PROBLEM_JSON = 'application/problem+json; charset=utf-8'

/** RFC 9457 problem+json; OAuth errors keep their `error` code as an extension member. */
export function renderProblem(err: ProblemError | OAuthError, res: Response): void {
  const body =
    err instanceof OAuthError
      ? {
          type: PROBLEM_TYPE_BASE + err.code.replaceAll('_', '-'),
          title: err.code,
          status: err.status,
          detail: err.description,
          error: err.code,
          error_description: err.description,
        }
      : problemBody(err)
  sendJson(res, err.status, body, { contentType: PROBLEM_JSON, headers: err.headers })
}

/**
 * OAuth token-endpoint error JSON. Failures that are not OAuth errors stay problem+json,
 * with `error` set so OAuth clients still read them.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function renderOAuth(err: ProblemError | OAuthError, res: Response): void {
  res.setHeader('Pragma', 'no-cache')
  if (err instanceof OAuthError) {
    sendJson(res, err.status, { error: err.code, error_description: err.description }, { headers: err.headers })
    return
  }
  const error = err instanceof StoreUnavailableError ? 'temporarily_unavailable' : err.status >= 500 ? 'server_error' : 'invalid_request'
  sendJson(
    res,
    err.status,
    { ...problemBody(err), error, error_description: err.detail ?? err.title },
    { contentType: PROBLEM_JSON, headers: err.headers },
  )
}

/** Any error as the Capture error it answers as: our own hierarchy mapped onto Capture's codes. */
function toCaptureError(err: ProblemError | OAuthError): CaptureError {
  if (err instanceof CaptureError) return err
  if (err instanceof DuplicateParameterError)
    return new CaptureError('duplicate_argument', err.description, { argumentName: err.parameter })
  if (err instanceof RateLimitedError) return new CaptureError('api_limit_error', err.detail ?? err.title, { headers: err.headers })
  if (err instanceof OAuthError) return new CaptureError('invalid_argument', err.description)
  if (err.status < 500) return new CaptureError('invalid_argument', err.detail ?? err.title)
  return new CaptureError(
    'unexpected_error',
    err instanceof StoreUnavailableError ? (err.detail ?? err.title) : 'An unexpected error occurred.',
    { headers: err.headers },
  )
}

/**
 * The Capture error envelope, with a 16-character `request_id`. The HTTP status is the real
 * one (Capture's own 1xx–5xx `code` stays in the body); 413 and 415 keep theirs, and an
 * unavailable store answers 503.
 * @see https://techdocs.akamai.com/identity-cloud-auth/reference/registration-error-codes
 */
export function renderCapture(err: ProblemError | OAuthError, res: Response): void {
  const capture = toCaptureError(err)
  const status =
    err instanceof ProblemError && (err.status === 413 || err.status === 415 || err.status === 503) ? err.status : capture.status
  const body = {
    stat: 'error',
    code: capture.code,
    error: capture.error,
    error_description: capture.detail,
    ...(capture.argumentName === undefined ? {} : { argument_name: capture.argumentName }),
    request_id: randomBytes(12).toString('base64url'),
  }
  sendJson(res, status, body, { headers: capture.headers })
}

type Renderer = (err: ProblemError | OAuthError, res: Response, req: Request) => void

const renderers: Record<ErrorFormat, Renderer> = {
  problem: renderProblem,
  oauth: renderOAuth,
  capture: renderCapture,
  authorize: (err, res, req) => renderAuthorize(err, res, req, renderProblem),
}

/** Renders errors no route rendered (as problem+json). */
export const renderError: ErrorRequestHandler = (err: unknown, req, res, next) => {
  render('problem', err, req, res, next)
}

/** The one place errors become responses. Unexpected errors are logged by name only: messages may carry input. */
function render(format: ErrorFormat, err: unknown, req: Request, res: Response, next: (err?: unknown) => void): void {
  if (res.headersSent) {
    next(err)
    return
  }
  const error = normalizeError(err)
  if (error instanceof ProblemError && error.status >= 500 && !(error instanceof StoreUnavailableError)) {
    const cause = error instanceof EventHandlerFailedError ? error.cause : err
    console.error(`express-authcode: ${req.method} ${req.baseUrl}${req.route?.path ?? ''} failed: ${describe(cause)}`)
  }
  renderers[format](error, res, req)
}

function describe(err: unknown): string {
  // Only the stack frames: a message (which may run over several lines) can carry a code or a secret.
  if (err instanceof Error) return [err.name, ...(err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line))].join('\n')
  return typeof err
}
