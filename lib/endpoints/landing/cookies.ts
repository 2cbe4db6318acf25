import type { Request, Response } from 'express'
import type { AtRest } from '../../engine/at-rest.js'
import { safeEqual } from '../../engine/timing-safe.js'

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
 * The landing page's cookies (the CSRF secret and the binding verifier), each carrying a MAC
 * under a server key, so that a value a sibling domain planted, or the user edited, is read as
 * none. With an `https:` `magicLinkUrl` they are `Secure` whatever `req.secure` says (a TLS proxy
 * without `trust proxy`) and named `__Host-` with `Path=/`, which no sibling domain and no plain
 * `http:` page can set; with `http:` (local development) they keep the landing page's path.
 * @see https://www.rfc-editor.org/rfc/rfc6265bis#section-4.1.3.2
 */
export class LandingCookies {
  /** The cookies' `Path`: `/` on https (as `__Host-` requires), else the landing page's path. */
  readonly path: string
  readonly #https: boolean
  readonly #atRest: AtRest

  constructor(magicLinkUrl: URL, atRest: AtRest) {
    this.#https = magicLinkUrl.protocol === 'https:'
    this.path = this.#https ? '/' : magicLinkUrl.pathname
    this.#atRest = atRest
  }

  /** The name the cookie `name` is sent under. */
  nameOf(name: string): string {
    return this.#https ? `__Host-${name}` : name
  }

  /** The value of the cookie `name` when its MAC holds, else none. */
  read(req: Request, name: string): string | undefined {
    const sent = readCookie(req, this.nameOf(name))
    const dot = sent?.lastIndexOf('.') ?? -1
    if (sent === undefined || dot < 0) return undefined
    const value = sent.slice(0, dot)
    return safeEqual(sent.slice(dot + 1), this.mac(`cookie ${name}`, value)) ? value : undefined
  }

  /**
   * Sets the cookie `name` to `value` and its MAC: only the server reads it (`HttpOnly`), sent on
   * top-level navigations from other sites but never on their POSTs (`SameSite=Lax`).
   */
  set(req: Request, res: Response, name: string, value: string, maxAgeMs: number): void {
    const secure = this.#https || req.secure
    const sealed = `${value}.${this.mac(`cookie ${name}`, value)}`
    res.cookie(this.nameOf(name), sealed, { httpOnly: true, sameSite: 'lax', secure, path: this.path, maxAge: maxAgeMs })
  }

  /** A MAC of `value` under `label` and the server key (base64url, 43 characters). */
  mac(label: string, value: string): string {
    return this.#atRest.serverMac(`express-authcode landing ${label}`, value)
  }
}

/**
 * Whether a browser sends a cookie of `cookiePath` with a request for `requestPath`.
 * @see https://www.rfc-editor.org/rfc/rfc6265#section-5.1.4
 */
export function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (!requestPath.startsWith(cookiePath)) return false
  return requestPath.length === cookiePath.length || cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'
}
