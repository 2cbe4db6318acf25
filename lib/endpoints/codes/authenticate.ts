import { timingSafeEqual } from 'node:crypto'
import type { Request, RequestHandler, Response } from 'express'
import type { AccessTokenInfo } from '../../../types/options.js'
import { secretDigest } from '../../engine/timing-safe.js'
import { ProblemError, type ProblemSlug } from '../../errors/problems.js'
import { requestLocal } from '../../http/locals.js'
import { BEARER } from '../../http/bearer-token.js'
import type { EarlyAuthenticationGuard } from '../../http/early-limits.js'
import type { ResolvedOptions } from '../../options/resolve.js'
import { verifiesInMemory } from './jwt-access-tokens.js'

/** The authenticated service of this request, set by {@link bearerAuth}. */
export const caller = requestLocal<AccessTokenInfo>('the authenticated caller')

/**
 * Authenticates a back-end service by `Authorization: Bearer` (a static `accessTokens` entry,
 * compared in constant time, or `verifyAccessToken`) and requires `scope`. Failures carry the
 * RFC 6750 `WWW-Authenticate` challenge: none without credentials, `invalid_token` (401),
 * `insufficient_scope` with the scope (403), `invalid_request` for a malformed header (400).
 * A static token or a `jwtAccessTokens()` verifier is checked in memory at once, and then
 * `attempt` counts a failure or only checks the count for a success; a host's own
 * `verifyAccessToken` (which may call out, and whose calls the host can see) runs only once
 * `attempt` has counted the request ({@link countsOnArrival}).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function bearerAuth(options: ResolvedOptions, scope: string, attempt: EarlyAuthenticationGuard): RequestHandler {
  const verify = tokenVerifier(options)
  const inMemory = !countsOnArrival(options)
  const realm = `Bearer realm="${options.issuer}"`
  const fail = (slug: ProblemSlug, detail: string, params = '') =>
    new ProblemError(slug, { detail, headers: { 'WWW-Authenticate': realm + params } })
  const invalidToken = (detail: string) => fail('unauthorized', detail, `, error="invalid_token", error_description="${detail}"`)

  async function authenticate(req: Request, res: Response): Promise<AccessTokenInfo> {
    const header = req.headers.authorization
    if (header === undefined || !/^Bearer(\s|$)/i.test(header)) {
      throw fail('unauthorized', 'Send an access token as "Authorization: Bearer <token>".')
    }
    const token = BEARER.exec(header)?.[1]
    if (token === undefined)
      throw fail('invalid-request', 'The Authorization header is not a valid Bearer credential.', ', error="invalid_request"')
    if (!inMemory) await attempt.verdict(res)
    const found = await verify(token)
    if (!found) throw invalidToken('The access token is unknown, expired or revoked.')
    if (!options.clients.has(found.clientId)) throw invalidToken('The access token belongs to no registered client.')
    if (!found.scopes.includes(scope)) {
      throw fail('insufficient-scope', `The access token needs the scope "${scope}".`, `, error="insufficient_scope", scope="${scope}"`)
    }
    return { clientId: found.clientId, scopes: found.scopes }
  }

  return async function authenticateBearer(req, res, next) {
    let found: AccessTokenInfo
    try {
      found = await authenticate(req, res)
    } catch (failure) {
      if (inMemory) attempt.decided(req, res, false)
      throw failure
    }
    if (inMemory) attempt.decided(req, res, true)
    caller.set(res, found)
    next()
  }
}

/**
 * Whether the failed-authentication count of a bearer token starts as the request arrives
 * ({@link EarlyAuthenticationGuard.count} first): for a host's own `verifyAccessToken`, which
 * may call out, and whose calls the host can see. A token checked in memory is counted once
 * decided ({@link EarlyAuthenticationGuard.decided}).
 */
export function countsOnArrival(options: ResolvedOptions): boolean {
  return options.verifyAccessToken !== undefined && !verifiesInMemory(options.verifyAccessToken)
}

function tokenVerifier(options: ResolvedOptions): (token: string) => Promise<AccessTokenInfo | null> {
  const { verifyAccessToken, accessTokens } = options
  if (verifyAccessToken) return async (token) => (await verifyAccessToken(token)) ?? null
  // The configured tokens are hashed once here; a request hashes only the token it presents.
  const entries = accessTokens.map((entry) => ({
    digest: secretDigest(entry.token),
    info: { clientId: entry.clientId, scopes: entry.scopes },
  }))
  return async (token) => {
    const presented = secretDigest(token)
    // Every entry is compared, so the time taken says nothing about which one matched.
    let found: AccessTokenInfo | null = null
    for (const entry of entries) if (timingSafeEqual(entry.digest, presented) && !found) found = entry.info
    return found
  }
}
