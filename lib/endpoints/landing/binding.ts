import { randomBytes } from 'node:crypto'
import type { Request, Response } from 'express'
import type { AuthcodeLogger } from '../../../types/options.js'
import { PKCE_VALUE, s256 } from '../../engine/pkce.js'
import { AuthcodeOptionsError, OPTIONS_ERROR_CODES } from '../../errors/options-error.js'
import { pathMatches, readCookie, setCookie } from './cookies.js'

/** The cookie that holds a browser's PKCE verifier for bound magic links. */
export const BINDING_COOKIE = 'authcode_binding'

/** Longer than any magic-link code lives (15 minutes at most), and renewed by every `bindBrowser`. */
const BINDING_MAX_AGE_MS = 60 * 60_000

/**
 * Same-browser binding of magic links (SPEC §3.5b): one random PKCE verifier per browser, in a
 * cookie scoped to the landing page's path, whose S256 challenge goes to `POST /codes`. The
 * landing page (and the host's passcode page, below it) read the verifier back.
 */
export class BrowserBinding {
  /** The landing page's path, from `magicLinkUrl`: the binding and CSRF cookies' `Path` and the confirm form's action. */
  readonly path: string
  readonly #logger: AuthcodeLogger
  #warned = false

  constructor(magicLinkUrl: string, logger: AuthcodeLogger) {
    this.path = new URL(magicLinkUrl).pathname
    this.#logger = logger
  }

  /**
   * Sets the binding cookie, keeping the browser's verifier when it has one (two links asked from
   * one browser both work), and returns its `code_challenge` (S256) for `POST /codes`.
   */
  bind(req: Request, res: Response): string {
    const verifier = this.verifierOf(req) ?? randomBytes(32).toString('base64url')
    setCookie(req, res, BINDING_COOKIE, verifier, this.path, BINDING_MAX_AGE_MS)
    return s256(verifier)
  }

  /** The browser's verifier, if it sent a well-formed one. */
  verifierOf(req: Request): string | undefined {
    this.#warnUnlessReached(req)
    const verifier = readCookie(req, BINDING_COOKIE)
    return verifier !== undefined && PKCE_VALUE.test(verifier) ? verifier : undefined
  }

  /**
   * Browsers send the cookie only to the landing page's path and below: a request elsewhere
   * cannot see the verifier (a second link would replace the first one's). Said once, as a
   * warning, since a proxy that rewrites paths makes the check err.
   */
  #warnUnlessReached(req: Request): void {
    const requestPath = new URL(req.originalUrl, 'http://localhost').pathname
    if (this.#warned || pathMatches(this.path, requestPath)) return
    this.#warned = true
    this.#logger.warn(
      { cookiePath: this.path, requestPath },
      `express-authcode: the binding cookie (Path=${this.path}, from magicLinkUrl) does not reach ${requestPath}: call auth.bindBrowser() and auth.browserVerifier() on requests under ${this.path}, e.g. ${this.path.replace(/\/$/, '')}/send`,
    )
  }
}

/** The binding, or an error naming the option a method of the router needs. */
export function requireBinding(binding: BrowserBinding | undefined, method: string): BrowserBinding {
  if (binding !== undefined) return binding
  throw new AuthcodeOptionsError(
    `auth.${method}() needs the magicLinkUrl option of authcode(): the landing page's path, and its cookies', come from it`,
    OPTIONS_ERROR_CODES.missing,
  )
}
