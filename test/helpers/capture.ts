import { createHmac } from 'node:crypto'
import { MOUNT } from './app.js'

/** The Capture endpoint under the test mount. */
export const CAPTURE_PATH = '/access/getAuthorizationCode'
export const CAPTURE_URL = MOUNT + CAPTURE_PATH

/** A `Date` header as janrain-signed requests send it: `YYYY-MM-DD HH:MM:SS` in UTC. */
export function signedDate(at = new Date()): string {
  return at.toISOString().slice(0, 19).replace('T', ' ')
}

/**
 * Headers of a janrain-signed request, built the way Janrain's own Python client does:
 * HMAC-SHA1 over path, Date and the sorted `k=v` lines, each line ending in a newline.
 */
export function signedHeaders(
  id: string,
  secret: string,
  params: Record<string, string>,
  date = signedDate(),
  path = CAPTURE_PATH,
): Record<string, string> {
  let text = `${path}\n${date}\n`
  const lines = Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .sort()
  if (lines.length > 0) text += `${lines.join('\n')}\n`
  const signature = createHmac('sha1', secret).update(text).digest('base64')
  return { Date: date, Authorization: `Signature ${id}:${signature}` }
}
