import type { ErrorRequestHandler, Request, Response } from 'express'
import type { AuthcodeLogger } from '../../../types/options.js'
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
 * message may carry input. `report` hears of every error rendered (telemetry).
 */
export function renderErrorsAs(
  format: ErrorFormat,
  logger: AuthcodeLogger,
  report?: (err: AuthcodeError, res: Response) => void,
): ErrorRequestHandler {
  const render = renderers[format]
  return function renderRouteError(err: unknown, req, res, next) {
    if (res.headersSent) {
      next(err)
      return
    }
    const error = normalizeError(err)
    report?.(error, res)
    if (error.status >= 500 && !(error instanceof StoreUnavailableError)) {
      const cause = error instanceof EventHandlerFailedError ? error.cause : err
      logger.error(
        {
          endpoint: `${req.method} ${req.baseUrl}${req.route?.path ?? ''}`,
          requestId: requestIdOf(req),
          error: error.code,
          err: loggable(cause),
        },
        'express-authcode: request failed',
      )
    }
    render(error, res, req)
  }
}

/** An error as log fields: its name and stack frames only, since a message (which may run over several lines) can carry a code or a secret. */
function loggable(err: unknown): { name: string; stack?: string } {
  if (!(err instanceof Error)) return { name: typeof err }
  return {
    name: err.name,
    stack: (err.stack ?? '')
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .join('\n'),
  }
}

/** The request's id as pino-http (`req.id`) or a proxy (`X-Request-Id`) set it, to correlate log lines. */
function requestIdOf(req: Request): string | undefined {
  const id = (req as { id?: unknown }).id ?? req.get('X-Request-Id')
  return typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 128) : undefined
}
