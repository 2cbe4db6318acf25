/** RFC 3986 §2.3 unreserved characters: percent-encoding one of them changes nothing. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/

/**
 * An `http:` or `https:` URI as two equivalent ones compare equal (RFC 3986 §6.2.2 and §6.2.3):
 * scheme and host in lower case, no default port, dot-segments removed, an empty path as `/`
 * (the WHATWG URL parser does these), percent-encoded unreserved characters decoded and the
 * other percent-encodings in upper case; `undefined` for anything else. A query or fragment
 * (even an empty one) is kept as it is, so a DPoP `htu` that carries one, which RFC 9449 §4.2
 * says it does not, never equals an endpoint's URL.
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-6.2.2
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */
export function normalizedHttpUri(value: string): string | undefined {
  const url = URL.parse(value)
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) return undefined
  url.pathname = url.pathname.replace(/%[0-9A-Fa-f]{2}/g, (escape) => {
    const char = String.fromCharCode(Number.parseInt(escape.slice(1), 16))
    return UNRESERVED.test(char) ? char : escape.toUpperCase()
  })
  return url.href
}

/**
 * The URI a DPoP proof for a request to `path` names: `base` (an absolute URL: the issuer, or a
 * resource's origin) then `path` without its query, normalized as {@link normalizedHttpUri} does.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export function targetUri(base: string, path: string): string {
  const withoutQuery = path.split('?')[0] ?? ''
  const uri = normalizedHttpUri(`${base.replace(/\/+$/, '')}${withoutQuery}`)
  if (uri === undefined) throw new TypeError(`not an http(s) URL: ${base}`)
  return uri
}
