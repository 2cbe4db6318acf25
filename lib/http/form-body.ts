import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express'
import { DuplicateParameterError, InvalidRequestError } from '../errors/oauth.js'
import { requireUtf8 } from './charset.js'
import { requestLocal } from './locals.js'
import { parseParams, safeName, type FormParams, type SentParam } from './params.js'

/** Largest form body accepted. */
export const FORM_LIMIT_BYTES = 16 * 1024

/** The parameters of the request as sent, empty values included, for the layers that verify a signature over them. */
export const sentParams = requestLocal<readonly SentParam[]>('the parameters as sent')

const readText = express.text({ type: 'application/x-www-form-urlencoded', limit: FORM_LIMIT_BYTES })

/**
 * Reads an `application/x-www-form-urlencoded` body into `req.body` as {@link FormParams}.
 * A name given twice is refused (but those of `multi`, such as RFC 8707's `resource`, whose
 * every value is in {@link sentParams}) and an empty value counts as omitted; a body the host app
 * already parsed (e.g. `express.urlencoded()` mounted first) is checked the same way. One route
 * layer.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function readFormBody(multi: readonly string[] = []): RequestHandler {
  return function readForm(req: Request, res: Response, next: NextFunction): void {
    if (!req.is('application/x-www-form-urlencoded')) {
      throw new InvalidRequestError('Content-Type must be application/x-www-form-urlencoded.')
    }
    requireUtf8(req)
    readText(req, res, (err?: unknown) => {
      if (err !== undefined) {
        next(err)
        return
      }
      let read: { params: FormParams; sent: SentParam[] }
      try {
        read = typeof req.body === 'string' ? fromText(req.body, multi) : fromParsed(req.body, multi)
      } catch (parseError) {
        next(parseError)
        return
      }
      req.body = read.params
      sentParams.set(res, read.sent)
      next()
    })
  }
}

/** {@link readFormBody} of a form whose every name is given once. */
export const formBody: RequestHandler = readFormBody()

function fromText(text: string, multi: readonly string[]): { params: FormParams; sent: SentParam[] } {
  const { params, repeated, sent, lists } = parseParams(text, multi)
  if (repeated[0] !== undefined) throw new DuplicateParameterError(safeName(repeated[0]))
  for (const name of multi) if (lists[name]?.[0] !== undefined) params[name] = lists[name][0]
  return { params, sent }
}

function fromParsed(body: unknown, multi: readonly string[]): { params: FormParams; sent: SentParam[] } {
  const params: FormParams = Object.create(null)
  const sent: SentParam[] = []
  if (typeof body !== 'object' || body === null) return { params, sent }
  for (const [name, given] of Object.entries(body)) {
    if (Array.isArray(given) && !multi.includes(name)) throw new DuplicateParameterError(safeName(name))
    for (const value of Array.isArray(given) ? (given as unknown[]) : [given]) {
      if (typeof value !== 'string') throw new InvalidRequestError(`Parameter ${safeName(name)} must be a plain string.`)
      sent.push([name, value])
      if (value !== '' && params[name] === undefined) params[name] = value
    }
  }
  return { params, sent }
}
