import { randomBytes } from 'node:crypto'
import type { Request, Response } from 'express'
import { safeEqual } from '../../engine/timing-safe.js'
import type { LandingCookies } from './cookies.js'

/** The cookie whose value the confirm page's CSRF token is derived from (`__Host-` on https). */
export const CSRF_COOKIE = 'authcode_csrf'

const SECRET = /^[A-Za-z0-9_-]{43}$/
const CSRF_MAX_AGE_MS = 60 * 60_000

/**
 * The browser's CSRF secret: the one it sent, when the server set it (its MAC holds), or a new
 * random one set as an `HttpOnly`, `SameSite=Lax` cookie. Kept when present, so two links open in
 * two tabs both confirm; a planted or forged one is replaced.
 */
export function csrfSecret(req: Request, res: Response, cookies: LandingCookies): string {
  const sent = cookies.read(req, CSRF_COOKIE)
  if (sent !== undefined && SECRET.test(sent)) return sent
  const secret = randomBytes(32).toString('base64url')
  cookies.set(req, res, CSRF_COOKIE, secret, CSRF_MAX_AGE_MS)
  return secret
}

/**
 * The confirm page's token: a MAC under the server key of the browser's secret and the code. Only
 * that browser holds the secret (`HttpOnly`, never sent on another site's POST), the token holds
 * for that code alone, and nobody without the server key can make one for a secret of their own.
 * The cross-device forms pass what they act on prefixed with their purpose (`approve <code>`,
 * `wait <pending>`), so that no form's token passes another's.
 */
export function csrfToken(cookies: LandingCookies, secret: string, code: string): string {
  return cookies.mac('csrf token', `${secret}\0${code}`)
}

/**
 * Whether a POST carries the token of `code` for the secret in its own cookie, set by this server.
 * An attacker's own link and token posted from a victim's browser fail: the victim's secret is
 * another, or none (login CSRF).
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html#signed-double-submit-cookie-recommended
 */
export function csrfHolds(req: Request, cookies: LandingCookies, code: string, token: string | undefined): boolean {
  const secret = cookies.read(req, CSRF_COOKIE)
  if (secret === undefined || !SECRET.test(secret) || token === undefined) return false
  return safeEqual(token, csrfToken(cookies, secret, code))
}

/**
 * Whether the browser says a POST came from another site, or from a sibling of this one (which
 * `SameSite=Lax` lets through, with cookies it may have planted): a `Sec-Fetch-Site` other than
 * `same-origin` or `none` (`cross-site`, `same-site`), or an `Origin` other than the landing
 * page's (`Origin: null` passes only beside `Sec-Fetch-Site: same-origin`). Browsers without
 * Fetch Metadata send neither, and pass (the token still holds them).
 * @see https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header
 * @see https://www.rfc-editor.org/rfc/rfc6454#section-7
 */
export function foreignPost(req: Request, origin: string): boolean {
  const site = req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true
  const sentOrigin = req.headers.origin
  // The landing page's own `Referrer-Policy: no-referrer` makes Chromium send `Origin: null` on
  // its same-origin form POST; `Sec-Fetch-Site: same-origin` then vouches for it.
  if (sentOrigin === 'null' && site === 'same-origin') return false
  return sentOrigin !== undefined && sentOrigin !== origin
}
