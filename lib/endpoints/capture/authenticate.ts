import type { RequestHandler } from 'express'
import type { CaptureRole, ClientOptions } from '../../../types/options.js'
import { CaptureError } from '../../errors/capture.js'
import { requestLocal } from '../../http/locals.js'
import type { FormParams } from '../../http/params.js'
import type { AuthcodeContext } from '../../options/context.js'
import { captureClientAuth } from './client-auth.js'

/** Capture roles that may issue authorization codes; `direct_read_access` and `login_client` may not. */
const ISSUING_ROLES: ReadonlySet<CaptureRole> = new Set(['owner', 'access_issuer', 'direct_access'])

/** The client {@link authenticateCaptureClient} authenticated for this request. */
export const captureClient = requestLocal<ClientOptions>('the authenticated Capture client')

/**
 * Authenticates the caller of `getAuthorizationCode` (HTTP Basic, form credentials or
 * janrain-signed: see {@link captureClientAuth}) and requires a role that may issue codes.
 * Runs after the layer that reads the parameters (form body or query).
 * @see https://techdocs.akamai.com/identity-cloud/docs/get-an-authorization-code
 * @see https://identitydocs.akamai.com/home/security-schemes
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export function authenticateCaptureClient(ctx: AuthcodeContext): RequestHandler {
  const authenticate = captureClientAuth(ctx)

  return async function captureIssuerAuth(req, res, next) {
    const client = await authenticate(req, res, req.body as FormParams)
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
