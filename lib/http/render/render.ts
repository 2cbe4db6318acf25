import type { ErrorRequestHandler, Request, Response } from 'express'
import type { AuthcodeError } from '../../errors/authcode-error.js'
import { EventHandlerFailedError, StoreUnavailableError } from '../../errors/problems.js'
import { renderAuthorize } from './authorize.js'
import { renderCapture } from './capture.js'
import { normalizeError } from './normalize.js'
import { renderOAuth } from './oauth.js'
import { renderProblem } from './problem.js'

/** The shape errors take on a route. */
export type ErrorFormat = 'problem' | 'oauth' | 'capture' | 'authorize'

const renderers: Record<ErrorFormat, (err: AuthcodeError, res: Response, req: Request) => void> = {
  problem: renderProblem,
  oauth: renderOAuth,
  capture: renderCapture,
  authorize: renderAuthorize,
}

/**
 * Renders the errors of a route in `format`: the one place errors become answers. Mounted as
 * the route's last layer, it runs only when something on the route failed, so a request that
 * succeeds pays no layer for it. Server errors are logged by name and stack frames only: a
 * message may carry input.
 */
export function renderErrorsAs(format: ErrorFormat): ErrorRequestHandler {
  const render = renderers[format]
  return function renderRouteError(err: unknown, req, res, next) {
    if (res.headersSent) {
      next(err)
      return
    }
    const error = normalizeError(err)
    if (error.status >= 500 && !(error instanceof StoreUnavailableError)) {
      const cause = error instanceof EventHandlerFailedError ? error.cause : err
      console.error(`express-authcode: ${req.method} ${req.baseUrl}${req.route?.path ?? ''} failed: ${describe(cause)}`)
    }
    render(error, res, req)
  }
}

function describe(err: unknown): string {
  // Only the stack frames: a message (which may run over several lines) can carry a code or a secret.
  if (err instanceof Error) return [err.name, ...(err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line))].join('\n')
  return typeof err
}
