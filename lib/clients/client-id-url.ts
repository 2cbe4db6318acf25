/** The parts of a URI reference, as RFC 3986 Appendix B splits them: scheme, authority, path, query, fragment. */
const URI_PARTS = /^([^:/?#]+):(?:\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/

/** Only the characters RFC 3986 allows in a URI: no space, control, backslash or non-ASCII, which URL parsers fix up. */
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/

/**
 * Whether a `client_id` is the URL of a Client ID Metadata Document: an `https` URL with a host,
 * a path other than `/`, no `.` or `..` segment (also percent-encoded), no user name or password
 * and no fragment. A query, which the draft says the URL SHOULD NOT have, is refused too. The
 * raw string is checked, since URL parsing removes dot segments and empty queries and fragments.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-01#section-3
 */
export function isClientIdUrl(clientId: string): boolean {
  const parts = URI_CHARACTERS.test(clientId) ? URI_PARTS.exec(clientId) : null
  if (!parts || !URL.canParse(clientId)) return false
  const [, scheme = '', authority, path = '', query, fragment] = parts
  const segments = path.split('/').map((segment) => segment.replace(/%2e/gi, '.'))
  return (
    scheme.toLowerCase() === 'https' &&
    authority !== undefined &&
    authority !== '' &&
    !authority.includes('@') &&
    path.length > 1 &&
    !segments.some((segment) => segment === '.' || segment === '..') &&
    query === undefined &&
    fragment === undefined
  )
}
