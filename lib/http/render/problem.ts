import type { Response } from 'express'
import type { RouterError } from '../../errors/authcode-error.js'
import { PROBLEM_TYPE_BASE } from '../../errors/problems.js'
import { sendJson } from '../send.js'

/** The media type of every problem answer. */
export const PROBLEM_JSON = 'application/problem+json; charset=utf-8'

/**
 * The RFC 9457 members of an error: `type` ends in the problem slug (an OAuth or Capture error
 * name, dashed, for those), `title`, `status`, `detail` and, for validation, `errors`.
 * @see https://www.rfc-editor.org/rfc/rfc9457#section-3.1
 */
export function problemBody(err: RouterError): Record<string, unknown> {
  if (err.protocol !== 'problem') {
    return { type: PROBLEM_TYPE_BASE + err.code.replaceAll('_', '-'), title: err.code, status: err.status, detail: err.description }
  }
  return {
    type: PROBLEM_TYPE_BASE + err.code,
    title: err.title,
    status: err.status,
    ...(err.detail === undefined ? {} : { detail: err.detail }),
    ...(err.errors === undefined ? {} : { errors: err.errors }),
  }
}

/** RFC 9457 problem+json; OAuth errors keep their `error` code as an extension member. */
export function renderProblem(err: RouterError, res: Response): void {
  const body = err.protocol === 'oauth' ? { ...problemBody(err), error: err.code, error_description: err.description } : problemBody(err)
  sendJson(res, err.status, body, { contentType: PROBLEM_JSON, headers: err.headers })
}
