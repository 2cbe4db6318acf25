import type { RequestHandler } from 'express'

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
