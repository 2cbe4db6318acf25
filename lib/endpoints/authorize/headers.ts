import type { RequestHandler } from 'express'
import { ProblemError } from '../../errors/problems.js'

/**
 * Headers of every `/authorize` answer, errors included: not cached, no `Referer` carrying
 * the request onwards, never framed; and no CORS, whatever the host app mounted before.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.16
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.2.4
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.6
 */
export const authorizeHeaders: RequestHandler = function authorizeHeaders(_req, res, next) {
  for (const name of ['Access-Control-Allow-Origin', 'Access-Control-Allow-Credentials', 'Access-Control-Expose-Headers'])
    res.removeHeader(name)
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
  next()
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
