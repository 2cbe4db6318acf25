import type { RequestHandler } from 'express'
import { draftCode, issueCode } from '../../engine/issue.js'
import { sendJson } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { caller } from './authenticate.js'
import { codesAnswer } from './answer.js'
import { codesBody } from './body.js'
import { heldKey } from './claim-key.js'

/**
 * Issues the magic-link code of a `POST /codes` request whose key is claimed and whose limits
 * counted it: the `CodeIssued` handlers accept it, then one store step saves the code with its
 * sealed answer, which every retry with the key is answered with.
 */
export function issueMagicLinkCode(ctx: AuthcodeContext): RequestHandler {
  const { idempotencyTtl, magicLinkUrl, singleActiveCode } = ctx.options
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
      },
      key.id,
    )
    const answer = codesAnswer(draft.code, draft.record.expiresAt, body, magicLinkUrl)
    await issueCode(engine, draft, {
      ...(answer.magic_link === undefined ? {} : { magicLink: answer.magic_link }),
      answer: {
        keyId: key.id,
        owner,
        answer: key.seal({ code: draft.code, expiresAt: draft.record.expiresAt }),
        ttlSeconds: idempotencyTtl,
      },
    })
    if (singleActiveCode) {
      await engine.store.replaceActive(
        engine.atRest.digest('group', `${clientId}\n${body.external_user_id}`),
        draft.id,
        draft.record.expiresAt - Date.now(),
      )
    }
    sendJson(res, 201, answer)
  }
}
