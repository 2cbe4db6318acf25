import type { Request, Response } from 'express'
import type { ClientOptions } from '../../../types/options.js'
import { safeEqual } from '../../engine/timing-safe.js'
import { CaptureError } from '../../errors/capture.js'
import { sentParams } from '../../http/form-body.js'
import type { AuthcodeContext } from '../../options/context.js'
import { janrainSignature, parseSignedDate, unbindableParameter, type SignatureCredentials } from './janrain-signature.js'

/** RFC 9110 §11.6.1: a 401 names a scheme the client can use. */
const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="capture", charset="UTF-8"' }

/** Capture's 402 `invalid_client_credentials`, answered as HTTP 401 with a Basic challenge. */
export function invalidCredentials(description: string): CaptureError {
  return new CaptureError('invalid_client_credentials', description, { headers: CHALLENGE })
}

/** The two ways a Capture API client proves who it is; each resolves the client or throws {@link invalidCredentials}. */
export interface CaptureCredentials {
  /** `client_id` and `client_secret`, compared as given (HTTP Basic verbatim, or the form body's decoded values). */
  bySecret(id: string, secret: string): ClientOptions
  /** A janrain-signed request: its `Date`, its parameters (as the body or query reader left them) and its signature, accepted once. */
  bySignature(req: Request, res: Response, credentials: SignatureCredentials): Promise<ClientOptions>
}

/**
 * Client authentication as Capture's API knows it, for the routes that take it. Secrets are
 * compared in constant time, and an unknown client costs the same comparison as a known one.
 * A signed request must carry a `Date` within `captureClockSkew` seconds of now, parameters
 * the signed text can bind ({@link unbindableParameter}), and a signature over the path
 * relative to the mount point; it is accepted once: its signature is claimed in the store
 * (hashed) for as long as that `Date` stays acceptable.
 * @see https://identitydocs.akamai.com/home/security-schemes
 * @see https://techdocs.akamai.com/identity-cloud/docs/exchange-an-authorization-code
 */
export function captureCredentials(ctx: AuthcodeContext): CaptureCredentials {
  const { clients, captureClockSkew } = ctx.options
  const { store } = ctx.engine
  const skewMs = captureClockSkew * 1000

  function bySecret(id: string, secret: string): ClientOptions {
    const client = clients.get(id)
    const matches = safeEqual(secret, client?.secret ?? '')
    if (!client || client.secret === undefined || !matches) throw invalidCredentials('The client credentials are wrong.')
    return client
  }

  async function bySignature(req: Request, res: Response, credentials: SignatureCredentials): Promise<ClientOptions> {
    const date = req.headers.date
    const signedAt = parseSignedDate(date)
    if (date === undefined || signedAt === undefined)
      throw invalidCredentials('A signed request needs a Date header in the form YYYY-MM-DD HH:MM:SS (UTC).')
    if (Math.abs(Date.now() - signedAt) > skewMs)
      throw invalidCredentials(`The Date header is more than ${captureClockSkew} s from the server clock.`)
    const params = sentParams.get(res)
    const unbindable = unbindableParameter(params)
    if (unbindable !== undefined) throw invalidCredentials(unbindable)
    const client = clients.get(credentials.id)
    const expected = janrainSignature(client?.secret ?? '', req.path, date, params)
    if (!safeEqual(expected, credentials.signature) || !client?.secret) throw invalidCredentials('The request signature does not match.')
    // Inside the skew window a signature is good for 2 × skew at most; claim it that long.
    if (!(await store.claimOnce(ctx.engine.atRest.digest('signature', `${client.id}:${credentials.signature}`), 2 * skewMs))) {
      throw invalidCredentials('This signed request was already accepted; sign every request afresh.')
    }
    return client
  }

  return { bySecret, bySignature }
}
