import { Router } from 'express'
import type { ProtectedResource, ProtectedResourceMetadata, ProtectedResourceOptions } from '../../../types/resource.js'
import { AuthcodeOptionsError, OPTIONS_ERROR_CODES } from '../../errors/options-error.js'
import { renderProblem } from '../../http/render/problem.js'
import { addRoute, serveRoutes } from '../../http/route.js'
import { sendJson } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import type { AccessTokenSigner } from '../token/jwt-access-token-issuer.js'
import { dpopPresentation } from './dpop-presentation.js'
import { bearerGuard } from './require-bearer.js'
import { resourceTarget } from './target.js'

/**
 * `auth.protectedResource({ resource, scopes? })` (SPEC §3.7): a router for the app's root that
 * serves the RFC 9728 document of `resource` at its path-inserted well-known URL (naming the
 * router's `issuer` as its one authorization server), with `requireBearer(scopes?)`, the
 * middleware that admits only this router's access tokens for `resource`.
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-2
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3
 * @throws AuthcodeOptionsError when the router's `issueTokens` is not a `jwtAccessTokenIssuer`
 * (there would be no key to verify tokens with), or for a bad `resource` or `scopes`.
 */
export function protectedResource(
  ctx: AuthcodeContext,
  signer: AccessTokenSigner | undefined,
  options: ProtectedResourceOptions,
): ProtectedResource {
  if (signer === undefined) {
    throw new AuthcodeOptionsError(
      'auth.protectedResource(): the router verifies only the tokens it signs; give authcode() issueTokens: jwtAccessTokenIssuer({ privateKey })',
      OPTIONS_ERROR_CODES.missing,
    )
  }
  const target = resourceTarget(options)
  // RFC 9728 §2: `jwks_uri` there would be the resource's own keys, not the authorization server's; so none.
  const metadata: ProtectedResourceMetadata = Object.freeze({
    resource: target.resource,
    authorization_servers: [signer.issuer],
    ...(target.scopes === undefined ? {} : { scopes_supported: [...target.scopes] }),
    bearer_methods_supported: ['header'],
  })
  const router = Router()
  serveRoutes(router, { logger: ctx.logger, telemetry: ctx.engine.telemetry })
  addRoute(router, { method: 'get', path: target.metadataPath, errors: renderProblem }, [
    function serveResourceMetadata(_req, res) {
      res.setHeader('Access-Control-Allow-Origin', '*')
      sendJson(res, 200, metadata)
    },
  ])
  const guard = bearerGuard(signer, target, ctx.logger, dpopPresentation(ctx.engine, ctx.options.dpop, target))
  return Object.assign(router, {
    resource: target.resource,
    metadata,
    metadataUrl: target.metadataUrl,
    requireBearer: guard.requireBearer,
    authInfo: guard.authInfo,
  })
}
