import { createHmac } from 'node:crypto'
import type { SentParam } from '../../http/params.js'

/** Credentials from an `Authorization: Signature <client_id>:<signature>` header. */
export interface SignatureCredentials {
  id: string
  signature: string
}

/**
 * Parameters a janrain-signed request leaves out of its signature: the credentials, which
 * Janrain's client libraries move into the `Authorization` header instead of sending them.
 * @see https://identitydocs.akamai.com/home/security-schemes
 */
export const UNSIGNED_PARAMETERS: ReadonlySet<string> = new Set(['client_id', 'client_secret', 'access_token'])

/**
 * Parses `Authorization: Signature <client_id>:<base64 signature>`. Returns `undefined` for
 * another scheme or no header, `null` when it claims Signature but is malformed.
 * @see https://identitydocs.akamai.com/home/security-schemes
 */
export function parseSignatureAuth(header: string | undefined): SignatureCredentials | null | undefined {
  if (header === undefined || !/^Signature(\s|$)/i.test(header)) return undefined
  const match = /^Signature +(.+):([A-Za-z0-9+/]+={0,2}) *$/i.exec(header)
  return match ? { id: match[1] as string, signature: match[2] as string } : null
}

const SIGNED_DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/

/**
 * Epoch milliseconds of a janrain-signed `Date` header (`YYYY-MM-DD HH:MM:SS`, UTC), or
 * `undefined` when it is absent or not a real instant in that format.
 */
export function parseSignedDate(value: string | undefined): number | undefined {
  const parts = value === undefined ? null : SIGNED_DATE.exec(value)
  if (!parts) return undefined
  const [year, month, day, hour, minute, second] = parts.slice(1).map(Number) as [number, number, number, number, number, number]
  const time = Date.UTC(year, month - 1, day, hour, minute, second)
  // Date.UTC rolls 2024-02-30 over into March; a real timestamp survives the round trip.
  return new Date(time).toISOString().slice(0, 19) === `${value?.replace(' ', 'T')}` ? time : undefined
}

/** The parameters a signature covers: all but {@link UNSIGNED_PARAMETERS}. */
function signedParams(params: Iterable<SentParam>): SentParam[] {
  return [...params].filter(([name]) => !UNSIGNED_PARAMETERS.has(name))
}

/**
 * Why the signed text could not bind these parameters, or `undefined` when it can. The text
 * joins `name=value` lines with newlines, so a name holding `=` or a newline, or a value
 * holding a newline, could be split another way under the same signature
 * (`a=1\nb=2` signs as `a` = `1\nb=2` and as `a` = `1`, `b` = `2`).
 */
export function unbindableParameter(params: Iterable<SentParam>): string | undefined {
  for (const [name, value] of signedParams(params)) {
    if (/[=\n]/.test(name)) return 'A signed request cannot carry a parameter name holding "=" or a newline.'
    if (value.includes('\n')) return 'A signed request cannot carry a parameter value holding a newline.'
  }
  return undefined
}

/** Orders strings by Unicode code point, as Janrain's Python client sorts its lines (UTF-8 bytes sort the same way; UTF-16 units may not). */
function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/**
 * The janrain-signed signature of a request: base64 HMAC-SHA1, keyed with the client secret,
 * of the endpoint path (relative to the API base, here the mount point), a newline, the
 * `Date` header, a newline, then the sorted `name=value` lines of the parameters, each
 * followed by a newline — every parameter as sent (an empty value included) except
 * {@link UNSIGNED_PARAMETERS}. Check {@link unbindableParameter} first.
 * @see https://identitydocs.akamai.com/home/security-schemes
 */
export function janrainSignature(secret: string, path: string, date: string, params: Iterable<SentParam>): string {
  const lines = signedParams(params)
    .map(([name, value]) => `${name}=${value}`)
    .sort(byCodePoint)
  const text = `${path}\n${date}\n${lines.map((line) => `${line}\n`).join('')}`
  return createHmac('sha1', secret).update(text, 'utf8').digest('base64')
}
