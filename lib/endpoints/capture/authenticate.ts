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
 * Authenticates the client of a Capture API request (HTTP Basic, form credentials or
 * janrain-signed: see {@link captureClientAuth}); a failure consumes nothing. Runs after the
 * layer that reads the parameters (form body or query).
 * @see https://identitydocs.akamai.com/home/security-schemes
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export function authenticateCaptureClient(ctx: AuthcodeContext): RequestHandler {
  const authenticate = captureClientAuth(ctx)
  return async function captureClientAuthentication(req, res, next) {
    captureClient.set(res, await authenticate(req, res, req.body as FormParams))
    next()
  }
}

/**
 * `getAuthorizationCode` only: the authenticated client must have a role that may issue codes.
 * @see https://techdocs.akamai.com/identity-cloud/docs/get-an-authorization-code
 */
export const requireIssuingRole: RequestHandler = function requireIssuingRole(_req, res, next) {
  if (!captureClient.get(res).captureRoles?.some((role) => ISSUING_ROLES.has(role))) {
    throw new CaptureError(
      'client_permission_error',
      'This API client may not issue authorization codes (it needs the owner, access_issuer or direct_access role).',
    )
  }
  next()
}
