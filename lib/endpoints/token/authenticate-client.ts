import type { Request, RequestHandler } from 'express'
import type { ClientOptions } from '../../../types/options.js'
import type { ClientDirectory } from '../../clients/directory.js'
import { safeEqual } from '../../engine/timing-safe.js'
import { InvalidClientError, InvalidRequestError } from '../../errors/oauth.js'
import { parseBasicAuth } from '../../http/basic-auth.js'
import type { FormParams } from '../../http/params.js'
import { requestLocal } from '../../http/locals.js'

/**
 * Authenticates the client of a token request: `client_secret_basic`, `client_secret_post`,
 * or `none` (a public client sending only `client_id`). Secrets are compared in constant
 * time, and an unknown client costs the same comparison as a known one. A client that arrived
 * by registration or by URL is public.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2.1
 */
export async function authenticateClient(clients: ClientDirectory, req: Request, params: FormParams): Promise<ClientOptions> {
  const basic = parseBasicAuth(req.headers.authorization, true)
  const usedBasic = basic !== undefined
  if (basic === null) throw new InvalidClientError('The Basic credentials are malformed.', true)
  if (basic && params.client_secret !== undefined) {
    throw new InvalidRequestError('Use one client authentication method, not Basic and client_secret together.')
  }
  if (basic && params.client_id !== undefined && params.client_id !== basic.id) {
    throw new InvalidRequestError('client_id does not match the client of the Basic credentials.')
  }
  const id = basic?.id ?? params.client_id
  if (id === undefined) throw new InvalidClientError('Client authentication is required: send client_id.', false)
  const secret = basic ? basic.secret : params.client_secret
  const client = await clients.find(id)
  const matches = safeEqual(secret ?? '', client?.secret ?? '')
  if (!client) throw new InvalidClientError('The client is unknown.', usedBasic)
  if (client.secret === undefined) {
    if (secret) throw new InvalidClientError('This public client has no secret.', usedBasic)
    return client
  }
  if (secret === undefined) throw new InvalidClientError('This client must authenticate with its secret.', usedBasic)
  if (!matches) throw new InvalidClientError('The client credentials are wrong.', usedBasic)
  return client
}

/** The client {@link authenticateTokenClient} authenticated for this request. */
export const tokenClient = requestLocal<ClientOptions>('the authenticated token client')

/** Whether a token request presents a client secret (Basic or `client_secret`): what a failed-authentication limit counts. */
export function presentsSecret(req: Request): boolean {
  return req.headers.authorization !== undefined || (req.body as FormParams).client_secret !== undefined
}

/** The route layer that authenticates the client of a token request (after the form body is read). */
export function authenticateTokenClient(clients: ClientDirectory): RequestHandler {
  return async function authenticateClientLayer(req, res, next) {
    tokenClient.set(res, await authenticateClient(clients, req, req.body as FormParams))
    next()
  }
}
