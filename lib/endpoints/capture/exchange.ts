import type { RequestHandler } from 'express'
import { redeemCode } from '../../engine/redeem.js'
import { CaptureError } from '../../errors/capture.js'
import { UnsupportedGrantTypeError } from '../../errors/oauth.js'
import type { FormParams } from '../../http/params.js'
import { sendJson } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { tokensForCode, tokensForRefresh, type IssueTokens } from '../token/tokens.js'
import { captureClient } from './authenticate.js'

function missing(argumentName: string): CaptureError {
  return new CaptureError('missing_argument', `${argumentName} is required.`, { argumentName })
}

/**
 * `POST /oauth/token`, Capture's exchange of a `getAuthorizationCode` code: authenticates the
 * client (Basic, body credentials or janrain-signed; a failure consumes nothing), then redeems
 * the code through the one redemption engine, bound to kind `capture`, that client (the code's
 * `for_client_id`) and the `redirect_uri` it was issued with, so the first presentation of a
 * live code consumes it whatever the outcome and a second fires
 * `authorization.CodeReuseDetected`. Answers `{ ...issueTokens(grant), refresh_token?,
 * transaction_state?, stat: "ok" }` (the refresh token the router's, when it mints them) with `Cache-Control: no-store` and `Pragma: no-cache`; unknown parameters are
 * ignored.
 * @see https://techdocs.akamai.com/identity-cloud/docs/exchange-an-authorization-code
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function exchangeCaptureCode(ctx: AuthcodeContext, issueTokens: IssueTokens): RequestHandler {
  return async function captureToken(req, res) {
    const params = req.body as FormParams
    const client = captureClient.get(res)
    if (params.code === undefined) throw missing('code')
    if (params.redirect_uri === undefined) throw missing('redirect_uri')
    const grant = await redeemCode(ctx.engine, params.code, { kind: 'capture', clientId: client.id, redirectUri: params.redirect_uri })
    const tokens = await tokensForCode(ctx, client, grant, issueTokens)
    const state = grant.transactionState === undefined ? {} : { transaction_state: grant.transactionState }
    res.setHeader('Pragma', 'no-cache')
    sendJson(res, 200, { ...tokens, ...state, stat: 'ok' })
  }
}

/** Only the grant types the router takes (`supported`), checked before the client is authenticated. */
export function requireCaptureGrant(supported: readonly string[]): RequestHandler {
  return function requireCaptureGrantType(req, _res, next) {
    const { grant_type: grantType } = req.body as FormParams
    if (grantType === undefined) throw missing('grant_type')
    if (!supported.includes(grantType)) throw new UnsupportedGrantTypeError(supported)
    next()
  }
}

/**
 * `POST /oauth/token`, grant `refresh_token` (other grant types pass on to the next layer): the
 * client authenticated as Capture does (Basic, body credentials or janrain-signed), the token
 * rotated, and the answer `{ ...issueTokens(grant), refresh_token, stat: "ok" }`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://techdocs.akamai.com/identity-cloud/docs/refresh-an-access-token
 */
export function refreshCaptureToken(ctx: AuthcodeContext, issueTokens: IssueTokens): RequestHandler {
  return async function captureRefresh(req, res, next) {
    const params = req.body as FormParams
    if (params.grant_type !== 'refresh_token') return next()
    if (params.refresh_token === undefined) throw missing('refresh_token')
    const tokens = await tokensForRefresh(ctx, captureClient.get(res), params.refresh_token, params, issueTokens)
    res.setHeader('Pragma', 'no-cache')
    sendJson(res, 200, { ...tokens, stat: 'ok' })
  }
}
