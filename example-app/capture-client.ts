import { createHmac } from 'node:crypto'
import { post, type CallResult } from './http-call.js'

/** What an existing Capture integration holds: the API base URL and its API client's credentials. */
export interface CaptureApi {
  /** Capture's base URL before migrating; express-authcode's mount URL after. Nothing else changes. */
  baseUrl: string
  clientId: string
  clientSecret: string
}

/** A janrain-signed call and the two headers that signed it, for the demo page to show. */
export interface SignedCall extends CallResult {
  signedWith: { Date: string; Authorization: string }
}

/**
 * Calls a Capture API endpoint the way Janrain's client libraries do, signing every call:
 * base64 HMAC-SHA1, keyed with the client secret, of the call's path, the `Date`
 * (`YYYY-MM-DD HH:MM:SS`, UTC) and the sorted `name=value` lines of the parameters, each
 * line ending in a newline. The credentials go in `Authorization: Signature id:signature`,
 * never in the body. (The demo's parameter names are plain ASCII, so the default sort is
 * the code-point order the signature needs.)
 */
export async function callCapture(api: CaptureApi, apiCall: string, params: Record<string, string>): Promise<SignedCall> {
  const date = new Date().toISOString().slice(0, 19).replace('T', ' ')
  const lines = Object.entries(params)
    .map(([name, value]) => `${name}=${value}\n`)
    .sort()
    .join('')
  const signature = createHmac('sha1', api.clientSecret).update(`${apiCall}\n${date}\n${lines}`).digest('base64')
  const signedWith = { Date: date, Authorization: `Signature ${api.clientId}:${signature}` }
  const result = await post(`${api.baseUrl}${apiCall}`, { headers: { date, authorization: signedWith.Authorization }, form: params })
  return { ...result, signedWith }
}
