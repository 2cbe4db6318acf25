import type { RequestHandler } from 'express'
import { draftCode, issueCode, ownerGroup } from '../../engine/issue.js'
import { newPasscode } from '../../engine/passcode.js'
import { sendJson } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { caller } from './authenticate.js'
import { codesAnswer, type WaitUrls } from './answer.js'
import { codesBody } from './body.js'
import { heldKey } from './claim-key.js'

/**
 * Issues the magic-link code of a `POST /codes` request whose key is claimed and whose limits
 * counted it: the `CodeIssued` handlers accept it, then one store step saves the code with its
 * sealed answer, which every retry with the key is answered with.
 */
export function issueMagicLinkCode(ctx: AuthcodeContext, waits: WaitUrls | undefined): RequestHandler {
  const { idempotencyTtl, magicLinkUrl, singleActiveCode, otp } = ctx.options
  const { engine } = ctx
  return async function issueCodeForUser(_req, res) {
    const { clientId } = caller.get(res)
    const body = codesBody.get(res)
    const { key, owner } = heldKey.get(res)
    const draft = draftCode(
      engine,
      {
        kind: 'magic_link',
        subject: body.external_user_id,
        clientId,
        ttlSeconds: body.ttl,
        ...(body.integration_context === undefined ? {} : { integrationContext: body.integration_context }),
        ...(body.code_challenge === undefined ? {} : { codeChallenge: body.code_challenge }),
      },
      key.id,
    )
    const passcode = body.otp && otp ? { value: newPasscode(otp.length), maxAttempts: otp.maxAttempts } : undefined
    const issued = { code: draft.code, expiresAt: draft.record.expiresAt, ...(passcode ? { otp: passcode.value } : {}) }
    const answer = codesAnswer(issued, body, magicLinkUrl, waits)
    await issueCode(engine, draft, {
      ...(answer.magic_link === undefined ? {} : { magicLink: answer.magic_link }),
      ...(passcode ? { passcode } : {}),
      answer: { keyId: key.id, owner, answer: key.seal(issued), ttlSeconds: idempotencyTtl },
    })
    if (singleActiveCode) await engine.store.revoke(ownerGroup(engine.atRest, body.external_user_id), { clientId, except: draft.id })
    sendJson(res, 201, answer)
  }
}
