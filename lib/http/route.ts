import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response, Router } from 'express'
import type { AuthcodeError } from '../errors/authcode-error.js'
import { renderErrorsAs, type ErrorFormat, type RenderOptions } from './render/render.js'
import { inRequestSpan, reportRouteError, startingSpan, telemetryOf } from './request-span.js'

/**
 * A route layer whose rejection reaches `next`, on Express 4 as on Express 5. Express 5
 * forwards a rejected promise itself; Express 4 ignores it, so an async layer that throws would
 * leave the request hanging and the rejection unhandled (a crash under Node's default
 * `--unhandled-rejections=throw`). Synchronous throws are caught by both.
 */
function safe(layer: RequestHandler): RequestHandler {
  return function safeLayer(req: Request, res: Response, next: NextFunction): void {
    const result = inRequestSpan(res, layer, req, res, next) as unknown
    if (result instanceof Promise) result.catch(next)
  }
}

/** Undoes what a failed request left behind (e.g. a claimed key) before its error is rendered; never throws. */
export type Undo = (err: unknown, req: Request, res: Response) => Promise<void>

function undoing(undo: Undo): ErrorRequestHandler {
  return function undoFailedRequest(err: unknown, req, res, next) {
    inRequestSpan(res, undo, err, req, res).then(
      () => next(err),
      () => next(err),
    )
  }
}

/** What a route is: where it answers, the shape of its errors, and how they are logged and rendered. */
export interface RouteSpec extends RenderOptions {
  method: 'get' | 'post'
  path: string
  /** What spans and metrics call the route, when `METHOD path` does not say it (a router the host mounts itself). */
  name?: string
  errors: ErrorFormat
}

/**
 * Mounts one route: its layers in order (left-out ones, such as a limit that is off, are
 * skipped), every one safe on Express 4 and 5, then `undo` on failure, then the renderer of
 * its errors. On a router with telemetry (`instrumentRoutes`), the first layer also starts the
 * request's span, and the renderer reports the errors it renders.
 */
export function addRoute(router: Router, route: RouteSpec, layers: ReadonlyArray<RequestHandler | undefined>, undo?: Undo): void {
  const present = layers.filter((layer): layer is RequestHandler => layer !== undefined).map(safe)
  const telemetry = telemetryOf(router)
  const endpoint = `${route.method.toUpperCase()} ${route.name ?? route.path}`
  if (telemetry && present[0]) present[0] = startingSpan(telemetry, endpoint, present[0])
  const report = telemetry && ((err: AuthcodeError, res: Response) => reportRouteError(telemetry, endpoint, err, res))
  router[route.method](route.path, ...present, ...(undo ? [undoing(undo)] : []), renderErrorsAs(route.errors, { ...route, report }))
}
