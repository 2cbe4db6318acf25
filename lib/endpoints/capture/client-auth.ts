import type { Request, Response } from 'express'
import type { ClientOptions } from '../../../types/options.js'
import { CaptureError } from '../../errors/capture.js'
import { parseBasicAuth } from '../../http/basic-auth.js'
import type { FormParams } from '../../http/params.js'
import type { AuthcodeContext } from '../../options/context.js'
import { captureCredentials, invalidCredentials } from './credentials.js'
import { parseSignatureAuth } from './janrain-signature.js'

/** Authenticates the client of one Capture API request; see {@link captureClientAuth}. */
export type AuthenticateCaptureClient = (req: Request, res: Response, params: FormParams) => Promise<ClientOptions>

function oneMethod(description: string): CaptureError {
  return new CaptureError('invalid_argument', description)
}

/**
 * Authenticates a Capture API client the three ways Capture accepts: HTTP Basic
 * `client_id:client_secret` (verbatim), `client_id` + `client_secret` as form parameters (as
 * Janrain's client libraries send them when they do not sign), or a janrain-signed request
 * (see {@link captureCredentials}). A `client_id` parameter beside a header must name the same
 * client (a signing client that sends one still verifies, since the signature leaves it out);
 * a `client_secret` beside a header is a second method and refused. Parameters that came in a
 * URL (a `GET`) cannot carry a `client_secret`, which would end up in access logs.
 * @see https://techdocs.akamai.com/identity-cloud/docs/exchange-an-authorization-code
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @throws CaptureError `invalid_client_credentials` (401) when the client cannot be authenticated,
 * `invalid_argument` (400) when the request mixes methods or names two clients.
 */
export function captureClientAuth(ctx: AuthcodeContext): AuthenticateCaptureClient {
  const { bySecret, bySignature } = captureCredentials(ctx)

  return async function authenticateCaptureRequest(req, res, params) {
    const header = req.headers.authorization
    const basic = parseBasicAuth(header, false)
    const signed = basic === undefined ? parseSignatureAuth(header) : undefined
    if (basic === null || signed === null) throw invalidCredentials('The Authorization header is malformed.')
    const headerClient = basic?.id ?? signed?.id
    if (headerClient !== undefined) {
      if (params.client_secret !== undefined)
        throw oneMethod('Use one client authentication method, not an Authorization header and client_secret.')
      if (params.client_id !== undefined && params.client_id !== headerClient)
        throw oneMethod('client_id does not name the client of the Authorization header.')
    }
    if (basic) return bySecret(basic.id, basic.secret)
    if (signed) return await bySignature(req, res, signed)
    if (header !== undefined)
      throw invalidCredentials('Authenticate with HTTP Basic, client_id and client_secret, or a janrain-signed request.')
    if (params.client_secret !== undefined && req.method !== 'POST')
      throw invalidCredentials('A client_secret in a URL ends up in logs: send it with HTTP Basic, in a POST body, or sign the request.')
    if (params.client_id === undefined || params.client_secret === undefined)
      throw invalidCredentials('Client authentication is required: HTTP Basic, client_id and client_secret, or a janrain-signed request.')
    return bySecret(params.client_id, params.client_secret)
  }
}
