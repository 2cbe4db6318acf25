import { OAuthError } from '../errors/oauth.js'

/**
 * Why a client's metadata document could not be used: short, stable, and never a word of what
 * the document or the server said.
 * - `not https`: the URL is not `https:`.
 * - `dns failed`: the host name did not resolve (or resolved to nothing).
 * - `address not public`: the host is, or resolves to at least one address that is, not public
 *   (loopback, private, link-local, CGNAT, multicast, unspecified, reserved), and is not allowed.
 * - `connection failed`, `untrusted certificate`: the TLS connection failed, or the server's
 *   certificate is not trusted for the host.
 * - `redirect`, `status <n>`: the answer was a 3xx (never followed) or another status than 200.
 * - `too large`: the body (or its `Content-Length`) is over the byte limit.
 * - `timeout`: the whole fetch (DNS, connection, TLS, headers, body) took longer than allowed.
 * - `not json`: the body is not a JSON object.
 * - `client_id mismatch`, `invalid metadata`: the document's `client_id` is not its URL, or its
 *   metadata breaks a rule of client registration.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-01#section-4
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-01#section-4.1
 */
export type MetadataDocumentFailure =
  | 'not https'
  | 'dns failed'
  | 'address not public'
  | 'connection failed'
  | 'untrusted certificate'
  | 'redirect'
  | `status ${number}`
  | 'too large'
  | 'timeout'
  | 'not json'
  | 'client_id mismatch'
  | 'invalid metadata'

/**
 * The metadata document a URL `client_id` names could not be fetched or read, so the client is
 * unknown: OAuth `invalid_client`, HTTP 400, failure class `invalid`. Its `reason` says why, and
 * so does its description, unless a `detail` is given (a sentence of the router's own about an
 * invalid document). `cause` keeps the network or TLS error behind a `connection failed` or
 * `untrusted certificate`, never a parser's error, which would quote the body. The authorization
 * request is aborted: the client's redirect URIs come from the document, so none is verified to
 * redirect to.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-01#section-4.3
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class MetadataDocumentError extends OAuthError {
  override name = 'MetadataDocumentError'

  constructor(
    readonly reason: MetadataDocumentFailure,
    cause?: unknown,
    /** Said instead of the reason: a full sentence, written by the router, quoting nothing of the document. */
    detail?: string,
  ) {
    super('invalid_client', `The client's metadata document could not be used: ${detail ?? `${reason}.`}`)
    if (cause !== undefined) this.cause = cause
  }
}
