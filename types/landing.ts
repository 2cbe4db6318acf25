import type { Request, Response } from 'express'
import type { Grant } from './grant.js'

/**
 * The pages of the magic-link landing page (`auth.magicLinkLanding()`); `wait`, `approve` and
 * `approved` only with `crossDevice: true` (SPEC §3.5c).
 */
export type LandingPageName = 'confirm' | 'other-browser' | 'used' | 'error' | 'wait' | 'approve' | 'approved'

/**
 * A form of the landing page: a `POST` to `action` (a path under the landing page's, never with
 * the code in it) carrying `fields` as hidden inputs, and a button to press.
 */
export interface LandingForm<Fields = { readonly code: string; readonly csrf_token: string }> {
  /** The landing page's path, from `magicLinkUrl` (`confirm`), or a path under it (`<path>/approve`, `<path>/wait`). */
  readonly action: string
  /** Hidden inputs, each to be HTML-escaped: the code (or the pending sign-in) and the CSRF token bound to this browser. */
  readonly fields: Fields
}

/** Where a cross-device sign-in stands: what `GET <magicLinkUrl>/wait/status` answers (`{ "status": … }`). */
export type ApprovalStatus = 'pending' | 'approved' | 'cancelled' | 'expired'

/** What the waiting page shows the browser that asked for a bound link (SPEC §3.5c). */
export interface WaitingSignIn {
  /** The two digits (`"07"`) to type on the device that opens the link: show them while `status` is `pending`. */
  readonly number: string
  /** Where the sign-in stood when the page was rendered. */
  readonly status: ApprovalStatus
  /**
   * `GET` it, at most once a second, for `{ "status": … }`; once it is `approved`, submit the
   * page's `form`; `cancelled` or `expired`, reload the page.
   */
  readonly statusUrl: string
  /**
   * A same-origin script that does exactly that (`<script src="…" defer>`) for the element that
   * carries `data-authcode-status="<statusUrl>"`, the form: allow it with `script-src 'self'` and
   * `connect-src 'self'` in your page's policy, or poll your own way.
   */
  readonly scriptUrl: string
}

/**
 * What the landing page answers with; `res.statusCode` is already set when the host renders it
 * (200 `confirm`, 403 `other-browser`, 410 `used`; `error` 400 for a malformed link, 403 for a
 * refused POST, 5xx when the server failed; 200 `approve`, 410 once cancelled; 200 `approved`;
 * 200 `wait`, 403 for a browser that did not ask).
 */
export type LandingPage =
  /** The link is live: a button that POSTs the code back, so that opening the link spends nothing. */
  | { readonly name: 'confirm'; readonly form: LandingForm }
  /**
   * With `crossDevice`, in place of `other-browser` (200): "Approve the sign-in on your other
   * device". Render `form` with, beside its hidden fields, a text input named `number` (two
   * digits, `inputmode="numeric"`) the user types the number the waiting page shows into; the
   * right one approves the browser that asked (this one is not signed in), a wrong one cancels
   * the sign-in. One try.
   */
  | { readonly name: 'approve'; readonly cancelled: false; readonly form: LandingForm }
  /** A wrong number was typed: the sign-in is cancelled and the link burned (410). Say so; offer a new link. */
  | { readonly name: 'approve'; readonly cancelled: true; readonly form?: undefined }
  /**
   * The waiting page, `wait_url` (200), for the browser that asked: `wait` says what to show and
   * poll; `form` (hidden `pending` and `csrf_token`, POSTed to `<magicLinkUrl>/wait`) finishes the
   * sign-in once approved, and is there while the status is `pending` or `approved` (give it
   * `data-authcode-status="<wait.statusUrl>"` for the poller of `wait.scriptUrl`). For any other
   * browser (403) neither is there: show no number.
   */
  | {
      readonly name: 'wait'
      readonly wait?: WaitingSignIn
      readonly form?: LandingForm<{ readonly pending: string; readonly csrf_token: string }>
    }
  /**
   * `other-browser`: a bound link opened in a browser without its verifier; offer the passcode on
   * the device that asked, or a new link here. `used`: consumed, expired, unknown or not a
   * magic-link code. `error`: a malformed, missing or repeated code, a refused POST, or a failure.
   * `approved`: the right number was typed on this device (now, or before): the browser that
   * asked signs in, this one is not.
   */
  | { readonly name: 'other-browser' | 'used' | 'error' | 'approved'; readonly form?: undefined }

/** Options of `auth.magicLinkLanding()`. */
export interface MagicLinkLandingOptions {
  /**
   * Starts the session of `grant.subject` and answers the request (e.g. a 303 to the home page).
   * Return a promise when it answers asynchronously, so that a failure reaches the error page.
   */
  signIn: (grant: Grant, req: Request, res: Response) => unknown
  /**
   * Writes every page in the host's look; `res.statusCode` and the security headers are set.
   * Render `page.form`, when there is one (`confirm`, `approve`, `wait`), as a
   * `<form method="post">` with its fields as hidden, HTML-escaped inputs. Without it, plain
   * built-in pages (nothing of the request but the hidden fields; no scripts but the waiting
   * page's same-origin poller).
   */
  renderPage?: (page: LandingPage, req: Request, res: Response) => unknown
  /**
   * Cross-device approval of bound links (SPEC §3.5c): `POST /codes` answers a bound code with a
   * `wait_url` too (from the moment this landing page is built), whose page shows the browser that
   * asked a 2-digit number; a bound link opened on another device shows `approve`, where typing
   * that number signs the browser that asked in, and a wrong one cancels the sign-in.
   * @default false
   */
  crossDevice?: boolean
}
