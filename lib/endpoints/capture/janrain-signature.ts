import { createHmac } from 'node:crypto'

/** Credentials from an `Authorization: Signature <client_id>:<signature>` header. */
export interface SignatureCredentials {
  id: string
  signature: string
}

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

/**
 * The janrain-signed signature of a request: base64 HMAC-SHA1, keyed with the client
 * secret, of the endpoint path, the `Date` header and the sorted `name=value` lines of the
 * parameters, each followed by a newline.
 * @see https://identitydocs.akamai.com/home/security-schemes
 */
export function janrainSignature(secret: string, path: string, date: string, params: Readonly<Record<string, string | undefined>>): string {
  const lines = Object.entries(params)
    .flatMap(([name, value]) => (value === undefined ? [] : [`${name}=${value}`]))
    .sort()
  const text = `${path}\n${date}\n${lines.map((line) => `${line}\n`).join('')}`
  return createHmac('sha1', secret).update(text, 'utf8').digest('base64')
}
