import { timingSafeEqual } from 'node:crypto'
import type { RequestHandler, Response } from 'express'
import type { AccessTokenInfo } from '../../types/options.js'
import type { AuthcodeContext } from '../context.js'
import { ProblemError } from '../errors/errors.js'
import { secretDigest } from '../helpers/timing-safe.js'
import type { ResolvedOptions } from '../options.js'

const kCaller = Symbol('authcode.caller')

/** RFC 6750 §2.1 `b64token`. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/** The authenticated service of this request, set by {@link bearerAuth}. */
export function callerOf(res: Response): AccessTokenInfo {
  const caller = (res.locals as Record<symbol, AccessTokenInfo | undefined>)[kCaller]
  if (!caller) throw new Error('callerOf() runs after bearerAuth()')
  return caller
}

/**
 * Authenticates a back-end service by `Authorization: Bearer` (a static `accessTokens` entry,
 * compared in constant time, or `verifyAccessToken`) and requires `scope`. Failures carry the
 * RFC 6750 `WWW-Authenticate` challenge: none without credentials, `invalid_token` (401),
 * `insufficient_scope` with the scope (403), `invalid_request` for a malformed header (400).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function bearerAuth(ctx: AuthcodeContext, scope: string): RequestHandler {
  const verify = tokenVerifier(ctx.options)
  const realm = `Bearer realm="${ctx.options.issuer}"`
  const fail = (status: number, slug: string, title: string, detail: string, params = '') =>
    new ProblemError(status, slug, title, { detail, headers: { 'WWW-Authenticate': realm + params } })
  const invalidToken = (detail: string) =>
    fail(401, 'unauthorized', 'The access token is not valid.', detail, `, error="invalid_token", error_description="${detail}"`)

  return async function authenticateBearer(req, res, next) {
    const header = req.headers.authorization
    if (header === undefined || !/^Bearer(\s|$)/i.test(header)) {
      throw fail(401, 'unauthorized', 'Authentication is required.', 'Send an access token as "Authorization: Bearer <token>".')
    }
    const token = BEARER.exec(header)?.[1]
    if (token === undefined)
      throw fail(
        400,
        'invalid-request',
        'The Authorization header is malformed.',
        'The Authorization header is not a valid Bearer credential.',
        ', error="invalid_request"',
      )
    const caller = await verify(token)
    if (!caller) throw invalidToken('The access token is unknown, expired or revoked.')
    if (!ctx.options.clients.has(caller.clientId)) throw invalidToken('The access token belongs to no registered client.')
    if (!caller.scopes.includes(scope)) {
      throw fail(
        403,
        'insufficient-scope',
        'The access token lacks a required scope.',
        `The access token needs the scope "${scope}".`,
        `, error="insufficient_scope", scope="${scope}"`,
      )
    }
    ;(res.locals as Record<symbol, AccessTokenInfo>)[kCaller] = { clientId: caller.clientId, scopes: caller.scopes }
    next()
  }
}

function tokenVerifier(options: ResolvedOptions): (token: string) => Promise<AccessTokenInfo | null> {
  const { verifyAccessToken, accessTokens } = options
  if (verifyAccessToken) return async (token) => (await verifyAccessToken(token)) ?? null
  // The configured tokens are hashed once here; a request hashes only the token it presents.
  const entries = accessTokens.map((entry) => ({
    digest: secretDigest(entry.token),
    caller: { clientId: entry.clientId, scopes: entry.scopes },
  }))
  return async (token) => {
    const presented = secretDigest(token)
    // Every entry is compared, so the time taken says nothing about which one matched.
    let found: AccessTokenInfo | null = null
    for (const entry of entries) if (timingSafeEqual(entry.digest, presented) && !found) found = entry.caller
    return found
  }
}
