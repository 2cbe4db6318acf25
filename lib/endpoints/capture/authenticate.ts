import type { RequestHandler } from 'express'
import type { CaptureRole, ClientOptions } from '../../../types/options.js'
import { CaptureError } from '../../errors/capture.js'
import { parseBasicAuth } from '../../http/basic-auth.js'
import { requestLocal } from '../../http/locals.js'
import type { ResolvedOptions } from '../../options/resolve.js'
import { captureCredentials, invalidCredentials } from './credentials.js'
import { parseSignatureAuth, type SignatureCredentials } from './janrain-signature.js'

/** Capture roles that may issue authorization codes; `direct_read_access` and `login_client` may not. */
const ISSUING_ROLES: ReadonlySet<CaptureRole> = new Set(['owner', 'access_issuer', 'direct_access'])

/** The client {@link authenticateCaptureClient} authenticated for this request. */
export const captureClient = requestLocal<ClientOptions>('the authenticated Capture client')

/**
 * Authenticates a Capture API client, by HTTP Basic `client_id:client_secret` (taken as
 * they are, not form-decoded) or by a janrain-signed `Authorization: Signature` header (see
 * {@link captureCredentials}), and requires a role that may issue codes. Runs after the layer
 * that reads the parameters (form body or query).
 * @see https://techdocs.akamai.com/identity-cloud/docs/get-an-authorization-code
 * @see https://identitydocs.akamai.com/home/security-schemes
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export function authenticateCaptureClient(options: ResolvedOptions): RequestHandler {
  const { bySecret, bySignature } = captureCredentials(options)

  return async function captureClientAuth(req, res, next) {
    const header = req.headers.authorization
    const basic = parseBasicAuth(header, false)
    const signed = basic === undefined ? parseSignatureAuth(header) : undefined
    if (!basic && !signed) {
      throw invalidCredentials(
        basic === null || signed === null
          ? 'The Authorization header is malformed.'
          : 'Authenticate with HTTP Basic client_id:client_secret or a janrain-signed Authorization header.',
      )
    }
    const client = basic ? bySecret(basic.id, basic.secret) : await bySignature(req, res, signed as SignatureCredentials)
    if (!client.captureRoles?.some((role) => ISSUING_ROLES.has(role))) {
      throw new CaptureError(
        'client_permission_error',
        'This API client may not issue authorization codes (it needs the owner, access_issuer or direct_access role).',
      )
    }
    captureClient.set(res, client)
    next()
  }
}
