import type { RequestHandler } from 'express'
import { authorizeHeaders, restoreHostPolicy } from '../authorize/headers.js'

/**
 * Headers of every answer of the landing page, errors included: `/authorize`'s (never cached, as
 * it carries a code and a CSRF token; no `Referer` carrying the link's code onwards; never framed,
 * since a framed button can be clicked by trickery; no CORS), except that the CSP goes beside the
 * host's own policy instead of replacing it, so the host's page keeps its styles.
 */
export const landingHeaders: RequestHandler = function landingHeaders(req, res, next) {
  authorizeHeaders(req, res, () => {
    restoreHostPolicy(res)
    res.setHeader('X-Content-Type-Options', 'nosniff')
    next()
  })
}
