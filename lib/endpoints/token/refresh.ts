import type { RequestHandler } from 'express'
import { InvalidRequestError } from '../../errors/oauth.js'
import type { FormParams } from '../../http/params.js'
import { sendJson } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { dpopProof } from '../dpop/layer.js'
import { tokenClient } from './authenticate-client.js'
import { tokensForRefresh, type IssueTokens } from './tokens.js'

/**
 * `POST /token`, grant `refresh_token` (other grant types pass on to the next layer): the client
 * authenticated as for a code (a public client by `client_id`), the token rotated, and the
 * answer `issueTokens(grant)` with the successor as `refresh_token`, `no-store` and `no-cache`.
 * A family bound to a DPoP key needs a proof of that key.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 */
export function refreshTokenGrant(ctx: AuthcodeContext, issueTokens: IssueTokens): RequestHandler {
  return async function refreshGrant(req, res, next) {
    const params = req.body as FormParams
    if (params.grant_type !== 'refresh_token') return next()
    if (params.refresh_token === undefined) throw new InvalidRequestError('refresh_token is required.')
    const tokens = await tokensForRefresh(ctx, tokenClient.get(res), params.refresh_token, params, issueTokens, dpopProof.find(res))
    res.setHeader('Pragma', 'no-cache')
    sendJson(res, 200, tokens)
  }
}
