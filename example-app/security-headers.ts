import type { RequestHandler } from 'express'

/**
 * Response headers every page of the app carries: no scripts, no framing, no referrer (a
 * magic-link URL holds a code, which must not leak to another site through `Referer`).
 * HSTS only when the app is served over https.
 */
/** The app's policy for its pages: its own styles and images, forms to itself, no scripts, never framed. */
export const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/**
 * The app's policy plus same-origin script files and the JSON they fetch, for the few pages that
 * run one (the ops page, the magic link's waiting page, the Capture demo): still no inline script.
 */
export const SCRIPTED_PAGE_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

export function securityHeaders({ https }: { https: boolean }): RequestHandler {
  const headers: Record<string, string> = {
    'Content-Security-Policy': PAGE_CSP,
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    ...(https ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  }
  return function setSecurityHeaders(_req, res, next) {
    res.set(headers)
    next()
  }
}

/**
 * Refuses a state-changing request that a browser says came from another site, so no other
 * site can post a form here (sign a visitor in or out, spend their magic link). Requests with
 * neither `Sec-Fetch-Site` nor `Origin` come from non-browser clients, which carry no
 * visitor's cookies. The session cookie is also `SameSite=Lax`.
 */
export function sameOriginPosts(origin: string): RequestHandler {
  return function refuseCrossSitePosts(req, res, next) {
    if (req.method === 'GET' || req.method === 'HEAD') return next()
    const site = req.get('sec-fetch-site')
    const from = req.get('origin')
    const crossSite = site !== undefined ? site !== 'same-origin' && site !== 'none' : from !== undefined && from !== origin
    if (crossSite) {
      res.status(403).type('text').send('Cross-site form posts are refused.')
      return
    }
    next()
  }
}
