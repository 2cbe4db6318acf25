import { randomBytes } from 'node:crypto'
import type { Request, Response } from 'express'
import type { AuthcodeLogger } from '../../../types/options.js'
import type { AtRest } from '../../engine/at-rest.js'
import { PKCE_VALUE, s256 } from '../../engine/pkce.js'
import { AuthcodeOptionsError, OPTIONS_ERROR_CODES } from '../../errors/options-error.js'
import { LandingCookies, pathMatches } from './cookies.js'

/** The cookie that holds a browser's PKCE verifier for bound magic links (`__Host-` on https). */
export const BINDING_COOKIE = 'authcode_binding'

/** Longer than any magic-link code lives (15 minutes at most), and renewed by every `bindBrowser`. */
const BINDING_MAX_AGE_MS = 60 * 60_000

/**
 * Same-browser binding of magic links (SPEC §3.5b): one random PKCE verifier per browser, in a
 * cookie MACed under a server key, whose S256 challenge goes to `POST /codes`. The landing page
 * (and the host's passcode page) read the verifier back.
 */
export class BrowserBinding {
  /** `magicLinkUrl`, as given. */
  readonly url: string
  /** The landing page's path, from `magicLinkUrl`: the confirm form's action. */
  readonly path: string
  /** The origin of `magicLinkUrl`: the only one the confirm form may be posted from. */
  readonly origin: string
  /** The landing page's cookies: the binding cookie and the CSRF cookie. */
  readonly cookies: LandingCookies
  readonly #logger: AuthcodeLogger
  #warned = false

  constructor(magicLinkUrl: string, atRest: AtRest, logger: AuthcodeLogger) {
    const url = new URL(magicLinkUrl)
    this.url = magicLinkUrl
    this.path = url.pathname
    this.origin = url.origin
    this.cookies = new LandingCookies(url, atRest)
    this.#logger = logger
  }

  /**
   * Sets the binding cookie, keeping the browser's verifier when the server set it (two links
   * asked from one browser both work; a planted one is replaced), and returns its
   * `code_challenge` (S256) for `POST /codes`.
   */
  bind(req: Request, res: Response): string {
    const verifier = this.verifierOf(req) ?? randomBytes(32).toString('base64url')
    this.cookies.set(req, res, BINDING_COOKIE, verifier, BINDING_MAX_AGE_MS)
    return s256(verifier)
  }

  /** The browser's verifier, if it sent a well-formed one whose MAC holds. */
  verifierOf(req: Request): string | undefined {
    this.#warnUnlessReached(req)
    const verifier = this.cookies.read(req, BINDING_COOKIE)
    return verifier !== undefined && PKCE_VALUE.test(verifier) ? verifier : undefined
  }

  /**
   * Over http, browsers send the cookie only to the landing page's path and below: a request
   * elsewhere cannot see the verifier (a second link would replace the first one's). Said once,
   * as a warning, since a proxy that rewrites paths makes the check err.
   */
  #warnUnlessReached(req: Request): void {
    const requestPath = new URL(req.originalUrl, 'http://localhost').pathname
    const cookiePath = this.cookies.path
    if (this.#warned || pathMatches(cookiePath, requestPath)) return
    this.#warned = true
    this.#logger.warn(
      { cookiePath, requestPath },
      `express-authcode: the binding cookie (Path=${cookiePath}, from magicLinkUrl) does not reach ${requestPath}: call auth.bindBrowser() and auth.browserVerifier() on requests under ${cookiePath}, e.g. ${cookiePath.replace(/\/$/, '')}/send`,
    )
  }
}

/** The binding (or what is built on it), or an error naming the option a method of the router needs. */
export function requireBinding<T extends object>(binding: T | undefined, method: string): T {
  if (binding !== undefined) return binding
  throw new AuthcodeOptionsError(
    `auth.${method}() needs the magicLinkUrl option of authcode(): the landing page's path, and its cookies', come from it`,
    OPTIONS_ERROR_CODES.missing,
  )
}
