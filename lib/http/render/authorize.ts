import type { Request, Response } from 'express'
import type { AuthcodeError } from '../../errors/authcode-error.js'
import { OAuthError } from '../../errors/oauth.js'
import { MisconfigurationError, ProblemError, StoreUnavailableError } from '../../errors/problems.js'
import { appendQuery } from '../../engine/redirect-uri.js'
import { requestLocal } from '../locals.js'
import { sendRedirect } from '../send.js'
import { htmlPage } from './html-page.js'
import { renderProblem } from './problem.js'

/** Where the errors of an authorization request go once its client and redirect URI are verified. */
export interface AuthorizeErrorTarget {
  redirectUri: string
  /** Echoed as given; left out when the request had none (or more than one). */
  state: string | undefined
  iss: string
}

const errorTarget = requestLocal<AuthorizeErrorTarget>('the verified redirect URI')

/**
 * Marks the request's redirect URI as verified: from now on its errors are sent there.
 * Before this, every error is shown to the user, never redirected.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11.2
 */
export function redirectErrorsTo(res: Response, target: AuthorizeErrorTarget): void {
  errorTarget.set(res, target)
}

/**
 * Renders an error of `GET /authorize`. With a verified redirect URI, OAuth errors and server
 * failures (`server_error`, `temporarily_unavailable`) go back to the client by a 303 carrying
 * `error`, `error_description`, `state` and `iss`. Everything else (an unknown client or
 * redirect URI, a rate limit, a host misconfiguration) stays here: an HTML page when the
 * browser prefers one (the host's `renderErrorPage`, or a plain built-in page), problem+json
 * otherwise.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2
 */
export async function renderAuthorize(err: AuthcodeError, res: Response, req: Request, hostPage?: HostErrorPage): Promise<void> {
  const target = errorTarget.find(res)
  const error = target && redirectable(err)
  if (target && error) {
    sendRedirect(
      res,
      appendQuery(target.redirectUri, { error: error.code, error_description: error.description, state: target.state, iss: target.iss }),
    )
  } else if (req.accepts(['application/json', 'application/problem+json', 'text/html']) !== 'text/html') {
    renderProblem(err, res)
  } else if (hostPage) {
    // The host's page answers with the status of the error; the security headers set before stay.
    res.status(err.status)
    for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value)
    await hostPage(err, req, res)
  } else {
    renderPage(err, res)
  }
}

/** The host's `renderErrorPage` option. */
export type HostErrorPage = (error: AuthcodeError, req: Request, res: Response) => void | Promise<void>

/** The built-in page, for when the host's own page fails. */
export function renderBuiltInPage(err: AuthcodeError, res: Response): void {
  renderPage(err, res)
}

/** RFC 6749 has codes for a failing server because a 5xx cannot travel in a redirect. A host's own misconfiguration is for the host to see. */
function redirectable(err: AuthcodeError): OAuthError | undefined {
  if (err instanceof OAuthError) return err
  if (err instanceof StoreUnavailableError)
    return new OAuthError('temporarily_unavailable', 'The authorization server is briefly unavailable. Try again.', 503)
  if (err.status >= 500 && !(err instanceof MisconfigurationError))
    return new OAuthError('server_error', 'The authorization server failed to answer the request.', 500)
  return undefined
}

/** A self-contained page (no scripts, no third-party resources) with nothing from the request in it. */
function renderPage(err: AuthcodeError, res: Response): void {
  const [title, detail] =
    err instanceof ProblemError ? [err.title, err.detail ?? ''] : ['This sign-in request is not valid.', err.description]
  res.status(err.status)
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value)
  res.setHeader('Content-Type', 'text/html; charset=utf-8')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.end(htmlPage(title, [detail, 'Go back to the application you came from and try again.']))
}
