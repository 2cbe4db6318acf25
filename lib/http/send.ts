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

/**
 * Answers `303 See Other` to `location`, sent as is (it is built from a registered URI and
 * encoded parameters). 303 makes the browser follow with a GET whatever the request was.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.12
 */
export function sendRedirect(res: Response, location: string): void {
  res.statusCode = 303
  res.setHeader('Location', location)
  res.end()
}
