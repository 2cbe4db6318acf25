import { context, isSpanContextValid, SpanKind, trace, type Context, type Span } from '@opentelemetry/api'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { AuthcodeError } from '../errors/authcode-error.js'
import { failedOnServer, rejectionOf } from '../telemetry/rejection.js'
import { recordError } from '../telemetry/span-errors.js'
import type { Telemetry } from '../telemetry/telemetry.js'
import { requestLocal } from './locals.js'

interface RequestTrace {
  span: Span
  /** The active context with the request span in it, which every later layer of the route runs in. */
  context: Context
}

const requestTrace = requestLocal<RequestTrace>('the request span')

/**
 * `layer` as the first layer of a route whose request is a span `authcode <endpoint>` (e.g.
 * `authcode POST /codes`): a child of the host's active span if there is one (e.g. an HTTP
 * server span), else a server span of its own. It ends when the response closes, with the
 * status code. With no SDK registered the span is a no-op and nothing else is done.
 */
export function startingSpan(telemetry: Telemetry, endpoint: string, layer: RequestHandler): RequestHandler {
  const name = `authcode ${endpoint}`
  return function startRequestSpan(req: Request, res: Response, next: NextFunction): void {
    const parent = context.active()
    const kind = trace.getSpan(parent) === undefined ? SpanKind.SERVER : SpanKind.INTERNAL
    const span = telemetry.tracer.startSpan(
      name,
      { kind, attributes: { 'authcode.endpoint': endpoint, 'http.request.method': req.method } },
      parent,
    )
    if (!isSpanContextValid(span.spanContext())) {
      layer(req, res, next)
      return
    }
    const active = trace.setSpan(parent, span)
    requestTrace.set(res, { span, context: active })
    res.once('close', () => {
      if (res.headersSent) span.setAttribute('http.response.status_code', res.statusCode)
      span.end()
    })
    context.with(active, layer, undefined, req, res, next)
  }
}

/**
 * Runs `fn` in the context of the request's span, so that store operations become its
 * children: Express calls later layers from callbacks (a body read from the socket) that do
 * not carry the context on. Calls `fn` straight when the request has no span.
 */
export function inRequestSpan<A extends unknown[], R>(res: Response, fn: (...args: A) => R, ...args: A): R {
  const found = requestTrace.find(res)
  return found === undefined ? fn(...args) : context.with(found.context, fn, undefined, ...args)
}

/**
 * Reports an error a route answers with: counted in `authcode.requests.rejected` unless it is a
 * failure of the server itself, and recorded on the request span by its type (an error status
 * only for a failure: a refused request is the endpoint doing its job).
 */
export function reportRouteError(telemetry: Telemetry, endpoint: string, err: AuthcodeError, res: Response): void {
  const reason = rejectionOf(err)
  if (reason !== undefined) telemetry.requestRejected(endpoint, reason)
  const found = requestTrace.find(res)
  if (found !== undefined) recordError(found.span, err, failedOnServer(err))
}
