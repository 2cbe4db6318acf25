import type { Request, Response } from 'express'
import type { Grant } from './grant.js'

/** The pages of the magic-link landing page (`auth.magicLinkLanding()`). */
export type LandingPageName = 'confirm' | 'other-browser' | 'used' | 'error'

/**
 * The form of the `confirm` page: a `POST` to `action` (the landing page's path, never with
 * the code in it) carrying `fields` as hidden inputs, and a button to press.
 */
export interface LandingForm {
  /** The landing page's path, from `magicLinkUrl`. */
  readonly action: string
  /** Hidden inputs, each to be HTML-escaped: the code and the CSRF token bound to this browser. */
  readonly fields: { readonly code: string; readonly csrf_token: string }
}

/**
 * What the landing page answers with; `res.statusCode` is already set when the host renders it
 * (200 `confirm`, 403 `other-browser`, 410 `used`; `error` 400 for a malformed link, 403 for a
 * refused POST, 5xx when the server failed).
 */
export type LandingPage =
  /** The link is live: a button that POSTs the code back, so that opening the link spends nothing. */
  | { readonly name: 'confirm'; readonly form: LandingForm }
  /**
   * `other-browser`: a bound link opened in a browser without its verifier; offer the passcode on
   * the device that asked, or a new link here. `used`: consumed, expired, unknown or not a
   * magic-link code. `error`: a malformed, missing or repeated code, a refused POST, or a failure.
   */
  | { readonly name: Exclude<LandingPageName, 'confirm'>; readonly form?: undefined }

/** Options of `auth.magicLinkLanding()`. */
export interface MagicLinkLandingOptions {
  /**
   * Starts the session of `grant.subject` and answers the request (e.g. a 303 to the home page).
   * Return a promise when it answers asynchronously, so that a failure reaches the error page.
   */
  signIn: (grant: Grant, req: Request, res: Response) => unknown
  /**
   * Writes every page in the host's look; `res.statusCode` and the security headers are set.
   * For `confirm`, render `page.form` as a `<form method="post">` with its fields as hidden,
   * HTML-escaped inputs. Without it, plain built-in pages (no scripts, nothing of the request but
   * the hidden fields).
   */
  renderPage?: (page: LandingPage, req: Request, res: Response) => unknown
}
