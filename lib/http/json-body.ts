import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express'
import { ProblemError } from '../errors/problems.js'
import { requireUtf8 } from './charset.js'

/** Largest JSON body accepted. */
export const JSON_LIMIT_BYTES = 16 * 1024

const parse = express.json({ limit: JSON_LIMIT_BYTES, strict: true })

const unsupported = (detail: string) => new ProblemError('unsupported-media-type', { detail })

/**
 * Reads an `application/json` body into `req.body`: another media type is 415, a body over
 * 16 KiB is 413 (`payload-too-large`) and one that is not JSON is 400 (`malformed-json`).
 * A body the host app already parsed is used as it is. One route layer.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16
 */
export const jsonBody: RequestHandler = function readJson(req: Request, res: Response, next: NextFunction): void {
  if (!req.is('application/json')) throw unsupported('Send the body as application/json.')
  requireUtf8(req)
  parse(req, res, (err?: unknown) => {
    const type = (err as { type?: unknown } | undefined)?.type
    if (type === 'entity.parse.failed')
      next(new ProblemError('malformed-json', { detail: 'The request body could not be parsed as JSON.' }))
    else if (type === 'charset.unsupported' || type === 'encoding.unsupported') next(unsupported('Send the body as UTF-8 JSON.'))
    else next(err)
  })
}
