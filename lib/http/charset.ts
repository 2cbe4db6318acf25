import type { Request } from 'express'
import { ProblemError } from '../errors/problems.js'

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i

/**
 * Refuses a body declared in any charset but UTF-8 with 415. The body parsers would otherwise
 * decode UTF-7, UTF-16 or Latin-1 into text that no longer matches what a client signed, what
 * a limit measured, or what another parser reads.
 * @see https://www.rfc-editor.org/rfc/rfc8259#section-8.1
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16
 */
export function requireUtf8(req: Request): void {
  const charset = CHARSET.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase()
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ProblemError('unsupported-media-type', { detail: 'Send the body in UTF-8 (charset=utf-8, or no charset).' })
  }
}
