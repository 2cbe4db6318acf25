import type { Request, RequestHandler } from 'express'
import type { CaptureRole, ClientOptions } from '../../../types/options.js'
import { safeEqual } from '../../engine/timing-safe.js'
import { CaptureError } from '../../errors/capture.js'
import { parseBasicAuth } from '../../http/basic-auth.js'
import { requestLocal } from '../../http/locals.js'
import type { FormParams } from '../../http/params.js'
import type { AuthcodeContext } from '../../options/context.js'
import { janrainSignature, parseSignatureAuth, parseSignedDate, type SignatureCredentials } from './janrain-signature.js'

/** Capture roles that may issue authorization codes; `direct_read_access` and `login_client` may not. */
const ISSUING_ROLES: ReadonlySet<CaptureRole> = new Set(['owner', 'access_issuer', 'direct_access'])

/** RFC 9110 §11.6.1: a 401 names a scheme the client can use. */
const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="capture", charset="UTF-8"' }

function invalidCredentials(description: string): CaptureError {
  return new CaptureError('invalid_client_credentials', description, { headers: CHALLENGE })
}

/** The client {@link authenticateCaptureClient} authenticated for this request. */
export const captureClient = requestLocal<ClientOptions>('the authenticated Capture client')

/**
 * Authenticates a Capture API client, by HTTP Basic `client_id:client_secret` (taken as
 * they are, not form-decoded) or by a janrain-signed `Authorization: Signature` header, and
 * requires a role that may issue codes. A signed request must carry a `Date` within
 * `captureClockSkew` seconds of now and is accepted once: its signature is claimed in the
 * store (hashed) for as long as that `Date` stays acceptable.
 * @see https://techdocs.akamai.com/identity-cloud/docs/get-an-authorization-code
 * @see https://identitydocs.akamai.com/home/security-schemes
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export function authenticateCaptureClient(ctx: AuthcodeContext): RequestHandler {
  const { clients, store, captureClockSkew } = ctx.options
  const skewMs = captureClockSkew * 1000

  function bySecret(id: string, secret: string): ClientOptions {
    const client = clients.get(id)
    // An unknown client costs the same comparison as a known one.
    const matches = safeEqual(secret, client?.secret ?? '')
    if (!client || client.secret === undefined || !matches) throw invalidCredentials('The client credentials are wrong.')
    return client
  }

  async function bySignature(req: Request, credentials: SignatureCredentials): Promise<ClientOptions> {
    const date = req.headers.date
    const signedAt = parseSignedDate(date)
    if (date === undefined || signedAt === undefined)
      throw invalidCredentials('A signed request needs a Date header in the form YYYY-MM-DD HH:MM:SS (UTC).')
    if (Math.abs(Date.now() - signedAt) > skewMs)
      throw invalidCredentials(`The Date header is more than ${captureClockSkew} s from the server clock.`)
    const client = clients.get(credentials.id)
    const expected = janrainSignature(client?.secret ?? '', req.path, date, req.body as FormParams)
    if (!safeEqual(expected, credentials.signature) || !client?.secret) throw invalidCredentials('The request signature does not match.')
    // Inside the skew window a signature is good for 2 × skew at most; claim it that long.
    if (!(await store.claimOnce(ctx.engine.atRest.digest('signature', `${client.id}:${credentials.signature}`), 2 * skewMs))) {
      throw invalidCredentials('This signed request was already accepted; sign every request afresh.')
    }
    return client
  }

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
    const client = basic ? bySecret(basic.id, basic.secret) : await bySignature(req, signed as SignatureCredentials)
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
