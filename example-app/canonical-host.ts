import type { RequestHandler } from 'express'

/**
 * Sends a page visit on another name of this server (`localhost` for `127.0.0.1`) to the app's
 * own URL: cookies are per host, so a sign-in that starts on one name and returns on the other
 * would lose its session. Used only when the URL is the listening address, not a proxy's.
 */
export function canonicalHost(baseUrl: string): RequestHandler {
  const { host } = new URL(baseUrl)
  return function redirectToCanonicalHost(req, res, next) {
    if (req.headers.host === host || (req.method !== 'GET' && req.method !== 'HEAD')) return next()
    res.redirect(308, `${baseUrl}${req.originalUrl}`)
  }
}
