import type { RequestHandler, Response } from 'express'
import { ProblemError } from '../../errors/problems.js'
import { requestLocal } from '../../http/locals.js'

const NO_FRAMING = "frame-ancestors 'none'"

/** The `Content-Security-Policy` the host app had set before the router's replaced it. */
const hostPolicy = requestLocal<{ value: number | string | string[] | undefined }>("the host's CSP")

/**
 * Headers of every `/authorize` answer, errors included: not cached, no `Referer` carrying
 * the request onwards, never framed; and no CORS, whatever the host app mounted before.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.16
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.2.4
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.6
 */
export const authorizeHeaders: RequestHandler = function authorizeHeaders(_req, res, next) {
  hostPolicy.set(res, { value: res.getHeader('Content-Security-Policy') })
  for (const name of ['Access-Control-Allow-Origin', 'Access-Control-Allow-Credentials', 'Access-Control-Expose-Headers'])
    res.removeHeader(name)
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
  next()
}

/**
 * Puts back the host app's own CSP, with framing still refused, for a page of the host's look
 * (the landing page, the host's `renderErrorPage`): `default-src 'none'` would block its styles.
 */
export function restoreHostPolicy(res: Response): void {
  const policy = hostPolicy.find(res)?.value
  res.setHeader('Content-Security-Policy', policy === undefined ? NO_FRAMING : [...[policy].flat().map(String), NO_FRAMING])
}

/**
 * Express answers `HEAD` with the `GET` route; here it would issue a code nobody receives. A
 * link preview or crawler gets 405 and nothing is issued.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6
 */
export const refuseHead: RequestHandler = function refuseHead(req, _res, next) {
  if (req.method === 'HEAD')
    throw new ProblemError('method-not-allowed', { detail: 'GET /authorize only: HEAD issues nothing.', headers: { Allow: 'GET' } })
  next()
}
