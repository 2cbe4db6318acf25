import type { ErrorRequestHandler, Request, Response } from 'express'
import type { AuthcodeError } from '../../lib/index.js'
import { html } from '../html.js'
import { sendPage } from '../layout.js'

const homeButton = html`<p><a class="button" href="/">Back to the home page</a></p>`

/**
 * The router's `renderErrorPage`: `/authorize` errors that must not go back to the client (an
 * unknown client or redirect URI, a rate limit), in the app's look and with a way back. What it
 * says comes from the error, never from the request.
 */
export function authorizeErrorPage(error: AuthcodeError, req: Request, res: Response): void {
  const [title, text] =
    error.failure === 'rate_limited'
      ? ['Too many sign-in requests', 'Wait a minute, then start the sign-in again from the app you came from.']
      : error.status >= 500
        ? ['Something went wrong', 'The sign-in server could not answer. Try again in a moment.']
        : [
            'This sign-in request cannot be used',
            'The app that sent you here asked in a way this server does not accept (for example, an unknown app or return address). Nothing was shared with it.',
          ]
  sendPage(
    req,
    res,
    title,
    html`<div class="notice bad" id="authorize-error">${text}</div>
      <p class="muted">Error code: <code>${error.code}</code> (${error.description})</p>
      ${homeButton}`,
    error.status,
  )
}

/** The app's last error middleware: a 500 page in the app's look. */
export const serverErrorPage: ErrorRequestHandler = (err, req, res, _next) => {
  console.error(err)
  if (res.headersSent) return
  sendPage(
    req,
    res,
    'Something went wrong',
    html`<div class="notice bad">The server could not finish this request. Try again.</div>
      ${homeButton}`,
    500,
  )
}
