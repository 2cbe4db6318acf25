import type { RequestHandler } from 'express'
import type { AuthcodeContext } from '../context.js'
import { captureClientOf } from '../core/authenticate-capture-client.js'
import { issueCode } from '../core/issue-code.js'
import { readCaptureParams } from '../core/read-capture-params.js'
import { CaptureError, MisconfigurationError } from '../errors/errors.js'
import type { FormParams } from '../middleware/form-body.js'
import { sendJson } from '../helpers/send-json.js'

/**
 * `POST /access/getAuthorizationCode`, Capture-compatible: resolves the user with
 * `findUser`, issues a `capture` code bound to `for_client_id` and `redirect_uri` (both
 * presented again at `/token`) and answers `{ authorizationCode, stat: "ok" }`. Runs after
 * {@link authenticateCaptureClient}.
 * @see https://techdocs.akamai.com/identity-cloud/docs/get-an-authorization-code
 */
export function getAuthorizationCodeHandler(ctx: AuthcodeContext): RequestHandler {
  const findUser = ctx.options.findUser
  if (!findUser) throw new Error('getAuthorizationCodeHandler needs options.findUser')
  return async function getAuthorizationCode(req, res) {
    const params = readCaptureParams(req.body as FormParams, captureClientOf(res), ctx.options.clients)
    const subject: unknown = await findUser(params.query)
    if (subject === null || subject === undefined) throw new CaptureError('record_not_found', 'No user record matches the lookup.')
    if (typeof subject !== 'string' || subject === '')
      throw new MisconfigurationError('findUser must resolve a user id (a non-empty string) or null.')
    const { code } = await issueCode(ctx, {
      kind: 'capture',
      subject,
      clientId: params.forClientId,
      ttlSeconds: params.lifetime,
      redirectUri: params.redirectUri,
      ...(params.transactionState === undefined ? {} : { transactionState: params.transactionState }),
    })
    sendJson(res, 200, { authorizationCode: code, stat: 'ok' })
  }
}
