/**
 * `Authorization: Bearer <b64token>` (RFC 6750 §2.1), the token its first group: shared by
 * every endpoint that takes a bearer token (`/codes`, `/register`, a protected resource).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i
