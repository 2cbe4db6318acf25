import type { Request, Response } from 'express'

/**
 * The value of the cookie `name` in the request's `Cookie` header, as sent (not decoded: every
 * cookie read here is base64url, and a caller checks its shape). A cookie sent twice counts as
 * none: a sibling domain can plant a second one of the same name (cookie tossing), and the
 * browser does not say which is whose.
 * @see https://www.rfc-editor.org/rfc/rfc6265#section-5.4
 */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie
  if (typeof header !== 'string') return undefined
  let found: string | undefined
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue
    if (found !== undefined) return undefined
    const value = pair.slice(eq + 1).trim()
    found = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
  }
  return found
}

/**
 * Sets a cookie only the server reads (`HttpOnly`), sent on top-level navigations from other
 * sites but never on their POSTs (`SameSite=Lax`), `Secure` on a secure request, and only to
 * `path` and below.
 */
export function setCookie(req: Request, res: Response, name: string, value: string, path: string, maxAgeMs: number): void {
  res.cookie(name, value, { httpOnly: true, sameSite: 'lax', secure: req.secure, path, maxAge: maxAgeMs })
}

/**
 * Whether a browser sends a cookie of `cookiePath` with a request for `requestPath`.
 * @see https://www.rfc-editor.org/rfc/rfc6265#section-5.1.4
 */
export function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (!requestPath.startsWith(cookiePath)) return false
  return requestPath.length === cookiePath.length || cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'
}
