import type { RequestHandler } from 'express'
import type { FindUserQuery } from '../../../types/options.js'
import { draftCode, issueCode } from '../../engine/issue.js'
import { CaptureError } from '../../errors/capture.js'
import { MisconfigurationError } from '../../errors/problems.js'
import type { FormParams } from '../../http/params.js'
import { sendJson } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { captureClient } from './authenticate.js'
import { readCaptureParams } from './params.js'

/**
 * `POST /access/getAuthorizationCode`, Capture-compatible: resolves the user with
 * `findUser`, issues a `capture` code bound to `for_client_id` and `redirect_uri` (both
 * presented again at `/token`) and answers `{ authorizationCode, stat: "ok" }`. Runs after
 * {@link authenticateCaptureClient}.
 * @see https://techdocs.akamai.com/identity-cloud/docs/get-an-authorization-code
 */
export function getAuthorizationCode(
  ctx: AuthcodeContext,
  findUser: (query: FindUserQuery) => Promise<string | null> | string | null,
): RequestHandler {
  return async function issueCaptureCode(req, res) {
    const params = readCaptureParams(req.body as FormParams, captureClient.get(res), ctx.options.clients)
    const subject: unknown = await findUser(params.query)
    if (subject === null || subject === undefined) throw new CaptureError('record_not_found', 'No user record matches the lookup.')
    if (typeof subject !== 'string' || subject === '')
      throw new MisconfigurationError('findUser must resolve a user id (a non-empty string) or null.')
    const draft = draftCode(ctx.engine, {
      kind: 'capture',
      subject,
      clientId: params.forClientId,
      ttlSeconds: params.lifetime,
      redirectUri: params.redirectUri,
      ...(params.transactionState === undefined ? {} : { transactionState: params.transactionState }),
    })
    await issueCode(ctx.engine, draft)
    sendJson(res, 200, { authorizationCode: draft.code, stat: 'ok' })
  }
}
