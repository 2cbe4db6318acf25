import type { RequestHandler } from 'express'
import type { AuthcodeContext } from '../context.js'
import { authenticateClient } from '../core/authenticate-client.js'
import { redeemCode } from '../core/redeem-code.js'
import { InvalidRequestError, UnsupportedGrantTypeError } from '../errors/errors.js'
import type { FormParams } from '../middleware/form-body.js'
import { sendJson } from '../helpers/send-json.js'

/**
 * `POST /token`, grant `authorization_code`: authenticates the client, consumes the code
 * (bound to that client, the redirect URI and the PKCE challenge) and answers with what
 * `issueTokens(grant)` mints, plus `transaction_state` for Capture codes. Parameters the
 * server does not know are ignored, as RFC 6749 §3.2 requires.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.5
 */
export function tokenHandler(ctx: AuthcodeContext): RequestHandler {
  const issueTokens = ctx.options.issueTokens
  if (!issueTokens) throw new Error('tokenHandler needs options.issueTokens')
  return async function token(req, res) {
    const params = req.body as FormParams
    if (params.grant_type === undefined) throw new InvalidRequestError('grant_type is required.')
    if (params.grant_type !== 'authorization_code') throw new UnsupportedGrantTypeError()
    const client = authenticateClient(ctx.options.clients, req, params)
    if (params.code === undefined) throw new InvalidRequestError('code is required.')
    if (params.redirect_uri === undefined) throw new InvalidRequestError('redirect_uri is required.')
    const grant = await redeemCode(ctx, params.code, {
      kind: ['authorize', 'capture'],
      clientId: client.id,
      redirectUri: params.redirect_uri,
      ...(params.code_verifier === undefined ? {} : { codeVerifier: params.code_verifier }),
    })
    const tokens = await issueTokens(grant)
    const body =
      grant.kind === 'capture' && grant.transactionState !== undefined ? { ...tokens, transaction_state: grant.transactionState } : tokens
    res.setHeader('Pragma', 'no-cache')
    sendJson(res, 200, body)
  }
}
