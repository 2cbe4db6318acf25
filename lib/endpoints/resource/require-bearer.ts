import type { Request, RequestHandler, Response } from 'express'
import { errors, jwtVerify, type JWTPayload } from 'jose'
import type { AuthcodeLogger } from '../../../types/options.js'
import type { AccessTokenClaims, ResourceAuthInfo } from '../../../types/resource.js'
import { DEFAULTS } from '../../defaults.js'
import { ProblemError } from '../../errors/problems.js'
import { requestLocal } from '../../http/locals.js'
import { renderProblem } from '../../http/render/problem.js'
import { renderErrorsAs } from '../../http/render/render.js'
import { BEARER } from '../../http/bearer-token.js'
import type { AccessTokenSigner } from '../token/jwt-access-token-issuer.js'
import { DPOP_CREDENTIALS, type DpopPresentation } from './dpop-presentation.js'
import { scopeList, type ResourceTarget } from './target.js'

/** What a protected resource's guard gives the host: the middleware factory and the reader of what it verified. */
export interface BearerGuard {
  requireBearer(scopes?: readonly string[]): RequestHandler
  authInfo(res: Response): ResourceAuthInfo | undefined
}

/**
 * The guard of one protected resource: verifies the router's own access tokens (jose, against
 * the signer's public key and `alg` only) for `iss`, `typ: at+jwt`, `exp`, and an `aud` naming
 * the resource, then the scopes. Every refusal carries the RFC 6750 challenge with the RFC 9728
 * `resource_metadata` URL, so a client learns where to get a token. A DPoP-bound token (`cnf.jkt`)
 * is refused as a Bearer token: it is taken as `Authorization: DPoP` with a proof of its key
 * (`dpop`, whose refusals carry a `DPoP` challenge).
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 */
export function bearerGuard(
  signer: AccessTokenSigner,
  target: ResourceTarget,
  logger: AuthcodeLogger,
  dpop: DpopPresentation,
): BearerGuard {
  const metadata = `resource_metadata="${target.metadataUrl}"`
  const challenge = (params = '') => ({ 'WWW-Authenticate': `Bearer ${params}${metadata}` })
  const invalidToken = (detail: string) =>
    new ProblemError('unauthorized', { detail, headers: challenge(`error="invalid_token", error_description="${detail}", `) })
  const verifyOptions = {
    issuer: signer.issuer,
    audience: [...target.audiences],
    algorithms: [signer.alg],
    typ: DEFAULTS.jwt.typ,
    requiredClaims: ['sub', 'client_id', 'jti', 'iat', 'exp'],
    clockTolerance: DEFAULTS.jwt.clockTolerance,
  }
  const verified = requestLocal<ResourceAuthInfo>('the verified access token')
  const render = renderErrorsAs(renderProblem, { logger })

  async function verify(token: string): Promise<JWTPayload> {
    try {
      return (await jwtVerify(token, signer.publicKey, verifyOptions)).payload
    } catch (err) {
      if (!(err instanceof errors.JOSEError)) throw err
      if (err instanceof errors.JWTExpired) throw invalidToken('The access token expired.')
      if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud')
        throw invalidToken('The access token is not for this resource.')
      throw invalidToken('The access token is not valid.')
    }
  }

  async function authenticate(req: Request, needed: readonly string[]): Promise<ResourceAuthInfo> {
    const header = req.headers.authorization
    const scheme = /^(Bearer|DPoP)(?:\s|$)/i.exec(header ?? '')?.[1]?.toLowerCase()
    if (scheme === undefined) {
      throw new ProblemError('unauthorized', { detail: 'Send an access token as "Authorization: Bearer <token>".', headers: challenge() })
    }
    const token = (scheme === 'dpop' ? DPOP_CREDENTIALS : BEARER).exec(header ?? '')?.[1]
    if (token === undefined) {
      const detail = `The Authorization header is not a valid ${scheme === 'dpop' ? 'DPoP' : 'Bearer'} credential.`
      throw new ProblemError('invalid-request', { detail, headers: challenge('error="invalid_request", ') })
    }
    const claims = (await verify(token)) as AccessTokenClaims
    if (
      typeof claims.sub !== 'string' ||
      typeof claims.client_id !== 'string' ||
      (claims.scope !== undefined && typeof claims.scope !== 'string')
    ) {
      throw invalidToken('The access token is not valid.')
    }
    // RFC 9449 §7.1: a token bound to a key is no bearer token; without the key's proof it is refused.
    if (scheme === 'dpop') await dpop(req, token, claims)
    else if (claims.cnf !== undefined) throw invalidToken('The access token is bound to a DPoP key and is not accepted as a Bearer token.')
    const scopes = (claims.scope ?? '').split(' ').filter(Boolean)
    if (!needed.every((scope) => scopes.includes(scope))) {
      const scope = needed.join(' ')
      const detail = `The access token needs the scope ${scope}.`
      const params = `error="insufficient_scope", error_description="${detail}", scope="${scope}", `
      throw new ProblemError('insufficient-scope', { detail, headers: challenge(params) })
    }
    const resource = new URL(target.resource)
    return { token, clientId: claims.client_id, scopes, expiresAt: claims.exp, resource, extra: { subject: claims.sub, claims } }
  }

  return {
    requireBearer(scopes = []) {
      const needed = scopeList(scopes, 'requireBearer(scopes)')
      return async function requireBearerToken(req, res, next) {
        let info: ResourceAuthInfo
        try {
          info = await authenticate(req, needed)
        } catch (err) {
          render(err, req, res, next)
          return
        }
        verified.set(res, info)
        // The MCP SDK's Streamable HTTP transport hands `req.auth` to tools as `authInfo`.
        ;(req as Request & { auth?: ResourceAuthInfo }).auth = info
        next()
      }
    },
    authInfo: (res) => verified.find(res),
  }
}
