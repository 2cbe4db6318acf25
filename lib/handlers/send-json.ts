import type { Response } from 'express'

/**
 * Sends JSON with `Cache-Control: no-store`. Written with `res.end`, so no ETag is computed
 * for answers that are never the same twice.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  res.end(JSON.stringify(body))
}
