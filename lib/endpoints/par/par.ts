import type { RequestHandler } from 'express'
import { claimProof, proofReplayed } from '../../engine/possession.js'
import { InvalidDpopProofError, InvalidRequestError } from '../../errors/oauth.js'
import { sentParams } from '../../http/form-body.js'
import { parseParams } from '../../http/params.js'
import { sendJson } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { validateRequest, verifyRedirect } from '../authorize/request.js'
import { dpopProof } from '../dpop/layer.js'
import { tokenClient } from '../token/authenticate-client.js'
import { pushRequest } from './pushed-requests.js'

/** What a client authenticates with: never part of the authorization request it pushes. */
const CREDENTIALS = new Set(['client_secret'])

/**
 * Keeps the authorization request the authenticated client pushed, once it passes every check
 * `/authorize` makes (its client is the authenticated one; its redirect URI is registered, else
 * `invalid_request`, which is never redirected), and answers 201 with its `request_uri`, first
 * usable within `par.ttl` seconds. A pushed `request_uri` is refused. A DPoP proof binds the code
 * to its key (its `jti` spent once), as `dpop_jkt` does; with both, they must name one key.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-10.1
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.3
 */
export function pushAuthorizationRequest(ctx: AuthcodeContext): RequestHandler {
  return async function pushRequestLayer(req, res) {
    const client = tokenClient.get(res)
    const pushed = (sentParams.get(res) ?? [])
      .filter(([name]) => !CREDENTIALS.has(name))
      .map(([name, value]): [string, string] => [name, value])
    const proof = dpopProof.find(res)
    // A proof sent here binds the code to its key, as dpop_jkt does; both must then name one key.
    if (proof && !pushed.some(([name]) => name === 'dpop_jkt')) pushed.push(['dpop_jkt', proof.jkt])
    const query = new URLSearchParams(pushed).toString()
    const parsed = parseParams(query, ['resource'])
    if (proof && parsed.params.dpop_jkt !== proof.jkt) throw new InvalidDpopProofError('dpop_jkt does not name the key of the DPoP proof.')
    if (parsed.params.request_uri !== undefined) throw new InvalidRequestError('request_uri cannot be pushed (RFC 9126 §2.1).')
    if (parsed.params.client_id !== client.id) throw new InvalidRequestError('client_id must name the authenticated client.')
    // A client or redirect URI that fails is a problem answered as invalid_request JSON.
    validateRequest(await verifyRedirect(ctx.clients, parsed), parsed, ctx.options)
    if (proof && !(await claimProof(ctx.engine, proof))) throw proofReplayed()
    const requestUri = await pushRequest(ctx.engine, { clientId: client.id, query }, ctx.options.par.ttl)
    sendJson(res, 201, { request_uri: requestUri, expires_in: ctx.options.par.ttl })
  }
}
