import type { Router } from 'express'
import type { AuthorizationServerMetadata } from '../../types/metadata.js'
import { renderProblem } from '../http/render/problem.js'
import { addRoute } from '../http/route.js'
import { sendJson } from '../http/send.js'
import { grantTypes } from '../options/mount-policy.js'
import type { ResolvedOptions } from '../options/resolve.js'

/** The RFC 8414 well-known suffix. */
export const METADATA_SUFFIX = '/.well-known/oauth-authorization-server'

/** How clients authenticate at `/token` and `/revoke`: public clients by `client_id`, confidential ones by their secret. */
const TOKEN_AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'] as const

/**
 * The metadata document for `issuer`, listing only the endpoints this router mounts (`jwks_uri`
 * when `served.jwks`: `issueTokens` is a `jwtAccessTokenIssuer`; `/par` when `served.par`: with
 * `/authorize`, on a store that keeps pushed requests; the DPoP `alg`s with `/token`).
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-3
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/
 */
export function buildMetadata(options: ResolvedOptions, served: { jwks: boolean; par: boolean }): AuthorizationServerMetadata {
  const scopes = offeredScopes(options)
  return {
    issuer: options.issuer,
    ...(options.mounted.authorize ? { authorization_endpoint: `${options.baseUrl}/authorize` } : {}),
    ...(options.mounted.token
      ? { token_endpoint: `${options.baseUrl}/token`, dpop_signing_alg_values_supported: [...options.dpop.algorithms] }
      : {}),
    ...(served.par
      ? { pushed_authorization_request_endpoint: `${options.baseUrl}/par`, require_pushed_authorization_requests: options.par.required }
      : {}),
    ...(options.mounted.revoke
      ? { revocation_endpoint: `${options.baseUrl}/revoke`, revocation_endpoint_auth_methods_supported: [...TOKEN_AUTH_METHODS] }
      : {}),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: grantTypes(options),
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: [...TOKEN_AUTH_METHODS],
    ...(scopes.length === 0 ? {} : { scopes_supported: scopes }),
    authorization_response_iss_parameter_supported: true,
    ...(served.jwks ? { jwks_uri: `${options.baseUrl}/jwks` } : {}),
    ...(options.dynamicRegistration ? { registration_endpoint: `${options.baseUrl}/register` } : {}),
    ...(options.clientIdMetadataDocuments ? { client_id_metadata_document_supported: true } : {}),
  }
}

/**
 * The scopes the router offers (`scopes_supported`): every configured client's. A client that
 * arrives by registration or by URL may ask for these, or those of them it names.
 */
export function offeredScopes(options: Pick<ResolvedOptions, 'clients'>): string[] {
  return [...new Set([...options.clients.values()].flatMap((c) => c.scopes ?? []))].sort()
}

/**
 * Where RFC 8414 §3.1 puts the document for an issuer with a path: the well-known suffix
 * inserted between host and path (`/.well-known/oauth-authorization-server/api/auth`).
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.1
 */
export function metadataPathFor(issuer: string): string {
  const path = new URL(issuer).pathname.replace(/\/+$/, '')
  return METADATA_SUFFIX + path
}

/** `GET /.well-known/oauth-authorization-server`: the document, readable from any origin. */
export function mountMetadata(router: Router, metadata: AuthorizationServerMetadata): void {
  addRoute(router, { method: 'get', path: METADATA_SUFFIX, errors: renderProblem }, [
    function serveMetadata(_req, res) {
      res.setHeader('Access-Control-Allow-Origin', '*')
      sendJson(res, 200, metadata)
    },
  ])
}
