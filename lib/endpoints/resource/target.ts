import type { ProtectedResourceOptions } from '../../../types/resource.js'
import { AuthcodeOptionsError, OPTIONS_ERROR_CODES } from '../../errors/options-error.js'
import { LOOPBACK_HOST } from '../../engine/redirect-uri.js'

/** The RFC 9728 well-known suffix. @see https://www.rfc-editor.org/rfc/rfc9728#section-3.1 */
export const RESOURCE_METADATA_SUFFIX = '/.well-known/oauth-protected-resource'

/** Path characters an Express route path carries literally on both majors: unreserved ones, `/` and percent-escapes. */
const LITERAL_PATH = /^[A-Za-z0-9\-._~/%]*$/
/** A scope token, as RFC 6749 §3.3 allows and a `scope="…"` challenge can quote. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/** A protected resource's options, checked, with where its metadata is served. */
export interface ResourceTarget {
  readonly resource: string
  /**
   * The `aud` values that name it: `resource` as given and as a URL serializes it
   * (`https://api.example.com` is also `https://api.example.com/`, as clients that parse it send it).
   */
  readonly audiences: readonly string[]
  readonly scopes: readonly string[] | undefined
  /** Where the host's app serves the document: the suffix inserted before the resource's path. */
  readonly metadataPath: string
  /** The document's absolute URL, for `resource_metadata`. */
  readonly metadataUrl: string
}

const fault = (message: string, code: (typeof OPTIONS_ERROR_CODES)[keyof typeof OPTIONS_ERROR_CODES] = OPTIONS_ERROR_CODES.invalid) =>
  new AuthcodeOptionsError(`auth.protectedResource(): ${message}`, code)

/**
 * Scopes as a challenge or a document can carry them: space-free RFC 6749 scope tokens.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 * @throws AuthcodeOptionsError naming `option` for anything else.
 */
export function scopeList(value: unknown, option: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((scope) => typeof scope === 'string' && SCOPE_TOKEN.test(scope))) {
    throw fault(`"${option}" must be a list of scope tokens (no spaces, quotes or backslashes), e.g. ['mcp:tools']`)
  }
  return Object.freeze([...(value as string[])])
}

/**
 * Checks `{ resource, scopes }` once and finds the document's path: the RFC 9728 suffix inserted
 * between the host and the resource's path (`https://api.example.com/mcp` →
 * `/.well-known/oauth-protected-resource/mcp`).
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-1.2
 * @throws AuthcodeOptionsError for a missing, relative, non-`https:` (but loopback) or query- or fragment-bearing resource, or bad scopes.
 */
export function resourceTarget(options: ProtectedResourceOptions): ResourceTarget {
  if (options === null || typeof options !== 'object') throw fault('give { resource, scopes? }', OPTIONS_ERROR_CODES.missing)
  const unknown = Object.keys(options).find((name) => name !== 'resource' && name !== 'scopes')
  if (unknown !== undefined) throw fault(`unknown option "${unknown}" (it takes resource, scopes)`, OPTIONS_ERROR_CODES.unknown)
  const { resource } = options
  if (typeof resource !== 'string') throw fault('"resource" is required: the URL clients send as resource', OPTIONS_ERROR_CODES.missing)
  const url = URL.parse(resource)
  if (url === null) throw fault('"resource" must be an absolute URL, e.g. https://api.example.com/mcp')
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname))) {
    throw fault('"resource" must use https: (http: is accepted only for localhost)')
  }
  if (resource.includes('?') || resource.includes('#')) throw fault('"resource" must not have a query or fragment')
  if (!LITERAL_PATH.test(url.pathname)) {
    throw fault('"resource" has a path with characters other than letters, digits, "-._~/" and percent-escapes')
  }
  const path = url.pathname === '/' ? '' : url.pathname
  const metadataPath = RESOURCE_METADATA_SUFFIX + path
  return {
    resource,
    audiences: [...new Set([resource, url.href])],
    scopes: options.scopes === undefined ? undefined : scopeList(options.scopes, 'scopes'),
    metadataPath,
    metadataUrl: url.origin + metadataPath,
  }
}
