import type { ClientOptions } from '../../types/options.js'

/** A loopback host as URL parsing leaves it: `localhost` or a loopback IP literal. */
export const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/

/** A loopback IP literal as URL parsing leaves it. */
const LOOPBACK_IP = /^(127(\.\d{1,3}){3}|\[::1\])$/

/**
 * `http://<loopback host>[:port]<rest>`, split so that everything but the port can be compared
 * verbatim. RFC 8252 §8.3 prefers the IP literals, but MCP clients and CLIs send `localhost`.
 */
const LOOPBACK_URI = /^http:\/\/(127(?:\.\d{1,3}){3}|\[::1\]|localhost)(?::\d{1,5})?([/?].*)?$/

/** Schemes a browser would run or read locally instead of navigating to a client. */
const UNSAFE_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:'])

/**
 * Why `uri` cannot be registered as a redirect URI, or `undefined` when it can: it must be an
 * absolute URI in printable ASCII with no fragment, and `http:` only on a loopback IP literal,
 * or for a `native` client also on `localhost` (`https:` and private-use schemes of native
 * apps are fine).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.6
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function redirectUriProblem(uri: string, native = false): string | undefined {
  const url = URL.parse(uri)
  if (!url || !/^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) || !/^[\x21-\x7e]+$/.test(uri))
    return 'must be an absolute URI in printable ASCII'
  if (uri.includes('#')) return 'must not contain a fragment (RFC 6749 §3.1.2)'
  if (UNSAFE_SCHEMES.has(url.protocol)) return `must not use the ${url.protocol} scheme`
  if (url.protocol === 'http:' && !LOOPBACK_IP.test(url.hostname) && !(native && url.hostname === 'localhost')) {
    return native
      ? 'may use http: only on a loopback host such as http://127.0.0.1/cb or http://localhost/cb (RFC 8252 §7.3); use https:'
      : 'may use http: only on a loopback IP literal such as http://127.0.0.1/cb (RFC 8252 §7.3), or on localhost for a native client; use https:'
  }
  return undefined
}

/**
 * Whether a program on the user's device other than the client could receive the client's
 * codes: a native client, or any client with a redirect URI that is not `https:` (an `http:`
 * loopback listener, a private-use scheme), which any local program can claim. An earlier
 * approval then does not prove the same program asks again.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.6
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.4
 */
export function claimableLocally(client: ClientOptions): boolean {
  return client.applicationType === 'native' || (client.redirectUris ?? []).some((uri) => !uri.startsWith('https:'))
}

/**
 * Whether `value` is an RFC 8707 resource indicator: an absolute URI without a fragment.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export function isResourceIndicator(value: string): boolean {
  const url = URL.parse(value)
  return url !== null && /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) && !value.includes('#') && /^[\x21-\x7e]+$/.test(value)
}

/**
 * Whether `uri` is one of the client's registered redirect URIs: exact string comparison,
 * except that a `native` client's loopback redirect URI matches on any port.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.3
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function isRegisteredRedirectUri(client: ClientOptions, uri: string): boolean {
  const registered = client.redirectUris ?? []
  if (registered.includes(uri)) return true
  if (client.applicationType !== 'native') return false
  const portless = withoutLoopbackPort(uri)
  return portless !== undefined && registered.some((candidate) => withoutLoopbackPort(candidate) === portless)
}

function withoutLoopbackPort(uri: string): string | undefined {
  const match = LOOPBACK_URI.exec(uri)
  return match ? `http://${match[1]}${match[2] ?? ''}` : undefined
}

/**
 * `uri` with `params` added to its query; a query it already has is kept. Parameters whose
 * value is `undefined` are left out.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2
 */
export function appendQuery(uri: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.append(name, value)
  const hash = uri.indexOf('#')
  const [base, fragment] = hash < 0 ? [uri, ''] : [uri.slice(0, hash), uri.slice(hash)]
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&'
  return `${base}${separator}${query.toString()}${fragment}`
}
