import type { Request, Response } from 'express'
import type { AuthcodeLogger } from '../../../types/options.js'
import type { AuthcodeError, FailureClass, RouterError } from '../../errors/authcode-error.js'
import { appendQuery } from '../../engine/redirect-uri.js'
import { requestLocal } from '../../http/locals.js'
import { endpointOf, loggable, requestIdOf } from '../../http/log-fields.js'
import { BUILT_IN_CSP, BUILT_IN_STYLE, htmlPage } from '../../http/render/html-page.js'
import { renderProblem } from '../../http/render/problem.js'
import type { RenderError } from '../../http/render/render.js'
import { sendRedirect } from '../../http/send.js'
import { restoreHostPolicy } from './headers.js'

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

/** The host's `renderErrorPage` option. */
export type HostErrorPage = (error: AuthcodeError, req: Request, res: Response) => void | Promise<void>

/** What the client is told of a failure of this server: that it failed, nothing of how. */
const FAILURE_DESCRIPTIONS: Partial<Record<FailureClass, string>> = {
  unavailable: 'The authorization server is briefly unavailable. Try again.',
  server: 'The authorization server failed to answer the request.',
}

/**
 * How `GET /authorize` (and the magic-link landing page) shows its errors. With a verified
 * redirect URI, an error that says what it redirects as ({@link AuthcodeError.redirectAs}: OAuth
 * errors, and failures of the server as `server_error` or `temporarily_unavailable`) goes back
 * to the client by a 303 carrying `error`, `error_description`, `state` and `iss`. Everything
 * else (an unknown client or redirect URI, a rate limit, a host misconfiguration) stays here: an
 * HTML page when the browser prefers one (`hostPage`, or a plain built-in page when there is
 * none or it fails, which `logger` hears of), problem+json otherwise.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2
 */
export function authorizeErrors(hostPage: HostErrorPage | undefined, logger: AuthcodeLogger): RenderError {
  return function renderAuthorizeError(err, res, req) {
    const target = errorTarget.find(res)
    const error = target && err.redirectAs
    if (target && error) {
      const description = FAILURE_DESCRIPTIONS[err.failure] ?? err.description
      sendRedirect(res, appendQuery(target.redirectUri, { error, error_description: description, state: target.state, iss: target.iss }))
    } else if (req.accepts(['application/json', 'application/problem+json', 'text/html']) !== 'text/html') {
      renderProblem(err, res)
    } else if (hostPage) {
      showHostPage(hostPage, err, req, res).catch((pageError: unknown) => {
        logger.error(
          { endpoint: endpointOf(req), requestId: requestIdOf(req), err: loggable(pageError) },
          'express-authcode: the host error page failed',
        )
        if (!res.headersSent) renderPage(err, res)
        else res.end()
      })
    } else {
      renderPage(err, res)
    }
  }
}

/**
 * The host's page answers with the status of the error and the security headers set before,
 * but under the host's own CSP (framing still refused), so that its styles load.
 */
async function showHostPage(hostPage: HostErrorPage, err: RouterError, req: Request, res: Response): Promise<void> {
  res.status(err.status)
  restoreHostPolicy(res)
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value)
  await hostPage(err, req, res)
}

/** A self-contained page (no scripts, no third-party resources) with nothing from the request in it. */
function renderPage(err: RouterError, res: Response): void {
  const [title, detail] =
    err.protocol === 'problem' ? [err.title, err.detail ?? ''] : ['This sign-in request is not valid.', err.description]
  res.status(err.status)
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value)
  res.setHeader('Content-Type', 'text/html; charset=utf-8')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Content-Security-Policy', BUILT_IN_CSP)
  res.end(htmlPage(title, [detail, 'Go back to the application you came from and try again.'], { style: BUILT_IN_STYLE }))
}
