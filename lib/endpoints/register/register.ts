import type { RequestHandler } from 'express'
import { isFault, readClientMetadata } from '../../clients/client-metadata.js'
import { OAuthError } from '../../errors/oauth.js'
import { sendJson } from '../../http/send.js'
import { grantTypes } from '../../options/mount-policy.js'
import type { AuthcodeContext } from '../../options/context.js'
import type { ResolvedRegistration } from '../../options/resolve.js'

/**
 * Registers the public client the JSON body describes (RFC 7591 §2 metadata, read by
 * {@link readClientMetadata}) under a random `client_id`, kept in the store for `ttl` seconds; answers 201 with the client's registered metadata (§3.2.1).
 * Metadata that cannot be accepted is 400 `invalid_redirect_uri` or `invalid_client_metadata`
 * (§3.2.2); nothing is stored then.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 */
export function registerClient(ctx: AuthcodeContext, registration: ResolvedRegistration): RequestHandler {
  return async function registerPublicClient(req, res) {
    const body: unknown = req.body
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new OAuthError('invalid_client_metadata', 'The body must be a JSON object of client metadata.')
    }
    const client = readClientMetadata(body as Record<string, unknown>, ctx.clients.offers)
    if (isFault(client)) throw new OAuthError(client.error, client.description)
    const clientId = await ctx.clients.register(client, registration.ttl)
    sendJson(res, 201, {
      client_id: clientId,
      client_id_issued_at: Math.floor(Date.now() / 1000),
      redirect_uris: client.redirectUris,
      token_endpoint_auth_method: 'none',
      grant_types: grantTypes(ctx.options),
      response_types: ['code'],
      ...(client.applicationType === 'native' ? { application_type: 'native' } : {}),
      ...(client.name === undefined ? {} : { client_name: client.name }),
      ...(client.uri === undefined ? {} : { client_uri: client.uri }),
      ...(client.logoUri === undefined ? {} : { logo_uri: client.logoUri }),
      scope: (client.scopes ?? ctx.clients.offers).join(' '),
    })
  }
}
