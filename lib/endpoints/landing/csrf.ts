import { createHmac, randomBytes } from 'node:crypto'
import type { Request, Response } from 'express'
import { safeEqual } from '../../engine/timing-safe.js'
import { readCookie, setCookie } from './cookies.js'

/** The cookie whose value the confirm page's CSRF token is derived from. */
export const CSRF_COOKIE = 'authcode_csrf'

const SECRET = /^[A-Za-z0-9_-]{43}$/
const CSRF_MAX_AGE_MS = 60 * 60_000

/**
 * The browser's CSRF secret: the one it sent, or a new random one set as an `HttpOnly`,
 * `SameSite=Lax` cookie on the landing page's path. Kept when present, so two links open in
 * two tabs both confirm.
 */
export function csrfSecret(req: Request, res: Response, path: string): string {
  const sent = readCookie(req, CSRF_COOKIE)
  if (sent !== undefined && SECRET.test(sent)) return sent
  const secret = randomBytes(32).toString('base64url')
  setCookie(req, res, CSRF_COOKIE, secret, path, CSRF_MAX_AGE_MS)
  return secret
}

/**
 * The confirm page's token: an HMAC of the code keyed with the browser's secret. No server key
 * is needed: only that browser holds the secret (`HttpOnly`, never sent on another site's POST),
 * and the token holds for that code alone.
 */
export function csrfToken(secret: string, code: string): string {
  return createHmac('sha256', secret).update(code).digest('base64url')
}

/**
 * Whether a POST carries the token of `code` for the secret in its own cookie. An attacker's own
 * link and token posted from a victim's browser fail: the victim's secret is another, or none
 * (login CSRF).
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html#signed-double-submit-cookie-recommended
 */
export function csrfHolds(req: Request, code: string, token: string | undefined): boolean {
  const secret = readCookie(req, CSRF_COOKIE)
  if (secret === undefined || !SECRET.test(secret) || token === undefined) return false
  return safeEqual(token, csrfToken(secret, code))
}
