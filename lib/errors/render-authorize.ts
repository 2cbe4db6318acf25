import type { Request, Response } from 'express'
import { sendRedirect } from '../handlers/send-redirect.js'
import { appendQuery } from '../helpers/redirect-uri.js'
import { MisconfigurationError, OAuthError, StoreUnavailableError, type ProblemError } from './errors.js'

/** Where the errors of an authorization request go once its client and redirect URI are verified. */
export interface AuthorizeErrorTarget {
  redirectUri: string
  /** Echoed as given; left out when the request had none (or more than one). */
  state: string | undefined
  iss: string
}

const kTarget = Symbol('authcode.authorizeTarget')

/**
 * Marks the request's redirect URI as verified: from now on its errors are sent there.
 * Before this, every error is shown to the user, never redirected.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11.2
 */
export function redirectErrorsTo(res: Response, target: AuthorizeErrorTarget): void {
  ;(res.locals as Record<symbol, AuthorizeErrorTarget>)[kTarget] = target
}

/**
 * Renders an error of `GET /authorize`. With a verified redirect URI, OAuth errors and server
 * failures (`server_error`, `temporarily_unavailable`) go back to the client by a 303 carrying
 * `error`, `error_description`, `state` and `iss`. Everything else (an unknown client or
 * redirect URI, a rate limit, a host misconfiguration) stays here: an HTML page when the
 * browser prefers one, `fallback` (problem+json) otherwise.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2
 */
export function renderAuthorize(
  err: ProblemError | OAuthError,
  res: Response,
  req: Request,
  fallback: (err: ProblemError | OAuthError, res: Response, req: Request) => void,
): void {
  const target = (res.locals as Record<symbol, AuthorizeErrorTarget | undefined>)[kTarget]
  const error = target && redirectable(err)
  if (target && error) {
    sendRedirect(
      res,
      appendQuery(target.redirectUri, { error: error.code, error_description: error.description, state: target.state, iss: target.iss }),
    )
  } else if (req.accepts(['application/json', 'application/problem+json', 'text/html']) === 'text/html') {
    renderPage(err, res)
  } else {
    fallback(err, res, req)
  }
}

/** RFC 6749 has codes for a failing server because a 5xx cannot travel in a redirect. A host's own misconfiguration is for the host to see. */
function redirectable(err: ProblemError | OAuthError): OAuthError | undefined {
  if (err instanceof OAuthError) return err
  if (err instanceof StoreUnavailableError)
    return new OAuthError('temporarily_unavailable', 'The authorization server is briefly unavailable. Try again.', 503)
  if (err.status >= 500 && !(err instanceof MisconfigurationError))
    return new OAuthError('server_error', 'The authorization server failed to answer the request.', 500)
  return undefined
}

/** A self-contained page (no scripts, no third-party resources) with nothing from the request in it. */
function renderPage(err: ProblemError | OAuthError, res: Response): void {
  const [title, detail] =
    err instanceof OAuthError ? ['This sign-in request is not valid.', err.description] : [err.title, err.detail ?? '']
  res.status(err.status)
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value)
  res.setHeader('Content-Type', 'text/html; charset=utf-8')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.end(`<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(detail)}</p>
<p>Go back to the application you came from and try again.</p>
</html>
`)
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
