import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { CaptureError } from '../../errors/capture.js'
import { DuplicateParameterError } from '../../errors/oauth.js'
import { sentParams } from '../../http/form-body.js'
import { parseParams, rawQuery, safeName } from '../../http/params.js'

/**
 * Reads the parameters of a `GET /access/getAuthorizationCode` from the raw query string (as
 * older Capture documentation calls it), and leaves them where the form body reader leaves a
 * POST's, so the layers after it serve both methods: `req.body` and {@link sentParams}. A name
 * given twice is `duplicate_argument`. A `HEAD` request, whose answer has no body to carry a
 * code, is refused before anything is issued.
 * @see https://techdocs.akamai.com/identity-cloud/docs/get-an-authorization-code
 */
export const captureQuery: RequestHandler = function readCaptureQuery(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'GET') {
    throw new CaptureError('invalid_argument', 'HEAD issues no authorization code; call with GET or POST.', {
      status: 405,
      headers: { Allow: 'GET, POST' },
    })
  }
  const { params, repeated, sent } = parseParams(rawQuery(req.originalUrl))
  if (repeated[0] !== undefined) throw new DuplicateParameterError(safeName(repeated[0]))
  req.body = params
  sentParams.set(res, sent)
  next()
}
