import type { RequestHandler } from 'express'
import { revokeRefreshToken } from '../../engine/revoke-grants.js'
import { InvalidRequestError } from '../../errors/oauth.js'
import type { FormParams } from '../../http/params.js'
import type { AuthcodeContext } from '../../options/context.js'
import { tokenClient } from '../token/authenticate-client.js'

/**
 * `POST /revoke`: a refresh token of the authenticated client revokes its whole family. Every
 * other token (unknown, expired, already revoked, another client's, or an access token the host
 * minted, which the router does not know) revokes nothing and is answered alike, 200 with an
 * empty body, so the answer tells a caller nothing about tokens it does not hold.
 * `token_type_hint` is ignored, as the router knows one kind of token.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2
 */
export function revokeToken(ctx: AuthcodeContext): RequestHandler {
  return async function revoke(req, res) {
    const { token } = req.body as FormParams
    if (token === undefined) throw new InvalidRequestError('token is required.')
    await revokeRefreshToken(ctx.engine, { token, clientId: tokenClient.get(res).id })
    res.statusCode = 200
    res.setHeader('Cache-Control', 'no-store')
    res.end()
  }
}
