import type { Response } from 'express'

/** How {@link sendJson} labels an answer and what it adds to it. */
export interface SendJsonOptions {
  /** @default 'application/json; charset=utf-8' */
  contentType?: string
  headers?: Record<string, string>
}

/**
 * Sends JSON with `Cache-Control: no-store`. Written with `res.end`, so no ETag is computed
 * for answers that are never the same twice.
 */
export function sendJson(res: Response, status: number, body: unknown, options: SendJsonOptions = {}): void {
  res.statusCode = status
  if (options.headers) for (const [name, value] of Object.entries(options.headers)) res.setHeader(name, value)
  res.setHeader('Content-Type', options.contentType ?? 'application/json; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  res.end(JSON.stringify(body))
}
