import type { Response } from 'express'

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
