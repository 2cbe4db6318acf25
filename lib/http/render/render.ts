import type { ErrorRequestHandler, Request, Response } from 'express'
import type { AuthcodeLogger } from '../../../types/options.js'
import type { FailureClass, RouterError } from '../../errors/authcode-error.js'
import { endpointOf, loggable, requestIdOf } from '../log-fields.js'
import { normalizeError } from './normalize.js'

/**
 * How one route shows its errors: problem+json, an OAuth body, the Capture envelope, a redirect
 * or a page. Shared ones are in `http/render/`; an endpoint's own live in its folder.
 */
export type RenderError = (err: RouterError, res: Response, req: Request) => void

/** What the error layer of a route works with besides its renderer. */
export interface RenderOptions {
  logger: AuthcodeLogger
  /** Hears of every error rendered (telemetry). */
  report?: ((err: RouterError, res: Response) => void) | undefined
}

/** Failures logged as they are answered: the server's own and the host's misconfigurations. An unavailable store is not: an outage would flood the log. */
const LOGGED: ReadonlySet<FailureClass> = new Set(['server', 'host'])

/**
 * Renders the errors of a route with `render`: the one place errors become answers. Mounted as
 * the route's last layer, it runs only when something on the route failed, so a request that
 * succeeds pays no layer for it. Failures of the server and the host are logged, by name and
 * stack frames only (a message may carry input), and by what the error wraps when it wraps
 * something (what a handler threw). `report` hears of every error rendered (telemetry).
 */
export function renderErrorsAs(render: RenderError, { logger, report }: RenderOptions): ErrorRequestHandler {
  return function renderRouteError(err: unknown, req, res, next) {
    if (res.headersSent) {
      next(err)
      return
    }
    const error = normalizeError(err)
    report?.(error, res)
    if (LOGGED.has(error.failure)) {
      logger.error(
        { endpoint: endpointOf(req), requestId: requestIdOf(req), error: error.code, err: loggable(error.cause ?? err) },
        'express-authcode: request failed',
      )
    }
    render(error, res, req)
  }
}
