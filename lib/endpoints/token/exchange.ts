import type { RequestHandler } from 'express'
import { redeemCode } from '../../engine/redeem.js'
import { InvalidRequestError, UnsupportedGrantTypeError } from '../../errors/oauth.js'
import type { FormParams } from '../../http/params.js'
import { sendJson } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { dpopProof } from '../dpop/layer.js'
import { tokenClient } from './authenticate-client.js'
import { tokensForCode, type IssueTokens } from './tokens.js'

/**
 * `POST /token`, grant `authorization_code`: authenticates the client, consumes the code
 * (bound to that client, the redirect URI and the PKCE challenge) and answers with what
 * `issueTokens(grant)` mints (and a refresh token the router minted, when it mints them), plus
 * `transaction_state` for Capture codes. Parameters the
 * server does not know are ignored, as RFC 6749 §3.2 requires. With a DPoP proof the grant is
 * bound to its key; a code bound to a key (`dpop_jkt`) needs a proof of that key.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.5
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 */
export function exchangeCode(ctx: AuthcodeContext, issueTokens: IssueTokens): RequestHandler {
  return async function token(req, res) {
    const params = req.body as FormParams
    const client = tokenClient.get(res)
    if (params.code === undefined) throw new InvalidRequestError('code is required.')
    if (params.redirect_uri === undefined) throw new InvalidRequestError('redirect_uri is required.')
    const grant = await redeemCode(ctx.engine, params.code, {
      kind: ['authorize', 'capture'],
      clientId: client.id,
      redirectUri: params.redirect_uri,
      ...(params.code_verifier === undefined ? {} : { codeVerifier: params.code_verifier }),
      ...(params.resource === undefined ? {} : { resource: params.resource }),
      proof: dpopProof.find(res),
    })
    const tokens = await tokensForCode(ctx, client, grant, issueTokens)
    const body =
      grant.kind === 'capture' && grant.transactionState !== undefined ? { ...tokens, transaction_state: grant.transactionState } : tokens
    res.setHeader('Pragma', 'no-cache')
    sendJson(res, 200, body)
  }
}

/**
 * Only the grant types the router takes (`supported`), checked before the client is authenticated.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export function requireGrantType(supported: readonly string[]): RequestHandler {
  return function requireGrant(req, _res, next) {
    const { grant_type: grantType } = req.body as FormParams
    if (grantType === undefined) throw new InvalidRequestError('grant_type is required.')
    if (!supported.includes(grantType)) throw new UnsupportedGrantTypeError(supported)
    next()
  }
}
