/** Credentials from an `Authorization: Basic` header. */
export interface BasicCredentials {
  id: string
  secret: string
}

/**
 * Parses `Authorization: Basic …`. Returns `undefined` when the header uses another scheme
 * or is absent, `null` when it claims Basic but is malformed.
 *
 * With `formEncoded`, both halves are `application/x-www-form-urlencoded` first, as OAuth
 * requires of client credentials.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export function parseBasicAuth(header: string | undefined, formEncoded: boolean): BasicCredentials | null | undefined {
  if (header === undefined) return undefined
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header)
  if (!match) return /^Basic(\s|$)/i.test(header) ? null : undefined
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return null
  const id = decoded.slice(0, colon)
  const secret = decoded.slice(colon + 1)
  if (!formEncoded) return { id, secret }
  try {
    return { id: formDecode(id), secret: formDecode(secret) }
  } catch {
    return null
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replaceAll('+', ' '))
}
