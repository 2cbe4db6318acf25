import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response, Router } from 'express'
import type { AuthcodeLogger } from '../../types/options.js'
import type { RouterError } from '../errors/authcode-error.js'
import type { Telemetry } from '../telemetry/telemetry.js'
import { renderErrorsAs, type RenderError } from './render/render.js'
import { inRequestSpan, reportRouteError, startingSpan } from './request-span.js'

/** What every route of a router is served with, given once for the router by the factory that builds it. */
export interface RouteServices {
  /** Where failures of the server and the host are logged. */
  readonly logger: AuthcodeLogger
  /** What traces and counts the routes (SPEC §9); absent, nothing is. */
  readonly telemetry?: Telemetry | undefined
}

/** The services of each router, so that every route mounted on it is logged and traced without each endpoint passing them on. */
const routerServices = new WeakMap<Router, RouteServices>()

/** Serves the routes mounted on `router` from now on with `services`: their failures logged to its logger, their requests traced and counted. */
export function serveRoutes(router: Router, services: RouteServices): void {
  routerServices.set(router, services)
}

function servicesOf(router: Router): RouteServices {
  const services = routerServices.get(router)
  if (services === undefined) throw new Error('addRoute(): the router was given no services; call serveRoutes(router, …) first')
  return services
}

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

/**
 * Undoes what a failed request left behind (e.g. a claimed key) before its error is rendered;
 * never throws. It may resolve another error to render instead, one that outranks the failure
 * (the failed-authentication limit's 429 outranks a wrong credential's 401).
 */
export type Undo = (err: unknown, req: Request, res: Response) => Promise<unknown>

function undoing(undo: Undo): ErrorRequestHandler {
  return function undoFailedRequest(err: unknown, req, res, next) {
    inRequestSpan(res, undo, err, req, res).then(
      (instead) => next(instead ?? err),
      () => next(err),
    )
  }
}

/** What a route is: where it answers, and how its errors are shown. */
export interface RouteSpec {
  method: 'get' | 'post'
  path: string
  /** What spans and metrics call the route, when `METHOD path` does not say it (a router the host mounts itself). */
  name?: string
  /** The route's renderer of errors: a shared one (`renderProblem`, `renderOAuth`) or the endpoint's own. */
  errors: RenderError
}

/**
 * Mounts one route: its layers in order (left-out ones, such as a limit that is off, are
 * skipped), every one safe on Express 4 and 5, then `undo` on failure, then the renderer of
 * its errors, which logs to the router's logger ({@link serveRoutes}). On a router with
 * telemetry, the first layer also starts the request's span, and the renderer reports the
 * errors it renders.
 */
export function addRoute(router: Router, route: RouteSpec, layers: ReadonlyArray<RequestHandler | undefined>, undo?: Undo): void {
  const present = layers.filter((layer): layer is RequestHandler => layer !== undefined).map(safe)
  const { logger, telemetry } = servicesOf(router)
  const endpoint = `${route.method.toUpperCase()} ${route.name ?? route.path}`
  if (telemetry && present[0]) present[0] = startingSpan(telemetry, endpoint, present[0])
  const report = telemetry && ((err: RouterError, res: Response) => reportRouteError(telemetry, endpoint, err, res))
  router[route.method](route.path, ...present, ...(undo ? [undoing(undo)] : []), renderErrorsAs(route.errors, { logger, report }))
}
