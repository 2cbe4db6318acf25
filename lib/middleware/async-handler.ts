import type { NextFunction, Request, RequestHandler, Response } from 'express'

/**
 * Route layers whose rejections reach `next`, on Express 4 as on Express 5. Express 5 forwards
 * a rejected promise itself; Express 4 ignores it, so an async handler that throws would leave
 * the request hanging and the rejection unhandled (a crash under Node's default
 * `--unhandled-rejections=throw`). Synchronous throws are caught by both.
 */
export function safe(...handlers: RequestHandler[]): RequestHandler[] {
  return handlers.map(
    (handler) =>
      function safeLayer(req: Request, res: Response, next: NextFunction): void {
        const result = handler(req, res, next) as unknown
        if (result instanceof Promise) result.catch(next)
      },
  )
}
