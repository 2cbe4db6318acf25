import type { Response } from 'express'
import type { RouterError } from '../../errors/authcode-error.js'
import { sendJson } from '../send.js'
import { PROBLEM_JSON, problemBody } from './problem.js'

/**
 * OAuth token-endpoint error JSON. Failures that are not OAuth errors stay problem+json, with
 * `error` set so OAuth clients still read them: the code a failure of the server redirects as
 * (`temporarily_unavailable`, `server_error`), `server_error` for a host misconfiguration, and
 * `invalid_request` for anything the client sent wrong.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function renderOAuth(err: RouterError, res: Response): void {
  res.setHeader('Pragma', 'no-cache')
  if (err.protocol === 'oauth') {
    sendJson(res, err.status, { error: err.code, error_description: err.description }, { headers: err.headers })
    return
  }
  const error = err.redirectAs ?? (err.failure === 'host' ? 'server_error' : 'invalid_request')
  sendJson(
    res,
    err.status,
    { ...problemBody(err), error, error_description: err.description },
    { contentType: PROBLEM_JSON, headers: err.headers },
  )
}
