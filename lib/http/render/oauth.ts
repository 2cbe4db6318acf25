import type { Response } from 'express'
import type { AuthcodeError } from '../../errors/authcode-error.js'
import { OAuthError } from '../../errors/oauth.js'
import { StoreUnavailableError } from '../../errors/problems.js'
import { sendJson } from '../send.js'
import { PROBLEM_JSON, problemBody } from './problem.js'

/**
 * OAuth token-endpoint error JSON. Failures that are not OAuth errors stay problem+json,
 * with `error` set so OAuth clients still read them.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function renderOAuth(err: AuthcodeError, res: Response): void {
  res.setHeader('Pragma', 'no-cache')
  if (err instanceof OAuthError) {
    sendJson(res, err.status, { error: err.code, error_description: err.description }, { headers: err.headers })
    return
  }
  const error = err instanceof StoreUnavailableError ? 'temporarily_unavailable' : err.status >= 500 ? 'server_error' : 'invalid_request'
  sendJson(
    res,
    err.status,
    { ...problemBody(err), error, error_description: err.description },
    { contentType: PROBLEM_JSON, headers: err.headers },
  )
}
