import type { ErrorRequestHandler, Request, Response } from 'express'
import type { AuthcodeLogger } from '../../../types/options.js'
import type { AuthcodeError } from '../../errors/authcode-error.js'
import { EventHandlerFailedError, StoreUnavailableError } from '../../errors/problems.js'
import { renderAuthorize, renderBuiltInPage, type HostErrorPage } from './authorize.js'
import { renderCapture, renderCaptureOAuth } from './capture.js'
import { normalizeError } from './normalize.js'
import { renderOAuth } from './oauth.js'
import { renderProblem } from './problem.js'

/** The shape errors take on a route. */
export type ErrorFormat = 'problem' | 'oauth' | 'capture' | 'capture-oauth' | 'authorize'

type Render = (err: AuthcodeError, res: Response, req: Request) => void | Promise<void>

/** What the renderers of a route need from the host. */
export interface RenderOptions {
  logger: AuthcodeLogger
  /** The host's page for `/authorize` errors that must not redirect. */
  renderErrorPage?: HostErrorPage | undefined
  /** Hears of every error rendered (telemetry). */
  report?: ((err: AuthcodeError, res: Response) => void) | undefined
}

function rendererOf(format: ErrorFormat, renderErrorPage: HostErrorPage | undefined): Render {
  if (format === 'authorize') return (err, res, req) => renderAuthorize(err, res, req, renderErrorPage)
  return { problem: renderProblem, oauth: renderOAuth, capture: renderCapture, 'capture-oauth': renderCaptureOAuth }[format]
}

/**
 * Renders the errors of a route in `format`: the one place errors become answers. Mounted as
 * the route's last layer, it runs only when something on the route failed, so a request that
 * succeeds pays no layer for it. Server errors are logged by name and stack frames only: a
 * message may carry input. `report` hears of every error rendered (telemetry).
 */
export function renderErrorsAs(format: ErrorFormat, { logger, renderErrorPage, report }: RenderOptions): ErrorRequestHandler {
  const render = rendererOf(format, renderErrorPage)
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
    const rendered = render(error, res, req)
    if (rendered instanceof Promise) {
      rendered.catch((pageError: unknown) => {
        logger.error(
          { endpoint: endpointOf(req), requestId: requestIdOf(req), err: loggable(pageError) },
          'express-authcode: the host error page failed',
        )
        if (!res.headersSent) renderBuiltInPage(error, res)
        else res.end()
      })
    }
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

function endpointOf(req: Request): string {
  return `${req.method} ${req.baseUrl}${(req.route as { path?: string } | undefined)?.path ?? ''}`
}

/** The request's id as pino-http (`req.id`) or a proxy (`X-Request-Id`) set it, to correlate log lines. */
function requestIdOf(req: Request): string | undefined {
  const id = (req as { id?: unknown }).id ?? req.get('X-Request-Id')
  return typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 128) : undefined
}
