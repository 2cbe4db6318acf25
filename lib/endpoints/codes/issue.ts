import type { RequestHandler } from 'express'
import type { StoredAnswer } from '../../engine/idempotency.js'
import { draftCode, issueCode, type CodeDraft } from '../../engine/issue.js'
import { sendJson } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { caller } from './authenticate.js'
import { codesBody, type CodesBody } from './body.js'
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
    const magicLink = magicLinkUrl === undefined ? undefined : linkWithCode(magicLinkUrl, draft.code)
    const answer = answerFor(draft, body, magicLink)
    await issueCode(engine, draft, {
      ...(magicLink === undefined ? {} : { magicLink }),
      answer: { keyId: key.id, owner, answer: key.seal(answer), ttlSeconds: idempotencyTtl },
    })
    if (singleActiveCode) {
      await engine.store.replaceActive(
        engine.atRest.digest('group', `${clientId}\n${body.external_user_id}`),
        draft.id,
        draft.record.expiresAt - Date.now(),
      )
    }
    sendJson(res, answer.status, answer.body)
  }
}

/** The 201 a new code gets, and every replay of it. */
function answerFor({ code, record }: CodeDraft, body: CodesBody, magicLink: string | undefined): StoredAnswer {
  return {
    status: 201,
    body: {
      code,
      expires_in: body.ttl,
      expires_at: new Date(record.expiresAt).toISOString(),
      external_user_id: body.external_user_id,
      ...(magicLink === undefined ? {} : { magic_link: magicLink }),
    },
  }
}

/** `magicLinkUrl` with `code` added to its query; its other parameters are kept. */
function linkWithCode(base: string, code: string): string {
  const url = new URL(base)
  url.searchParams.set('code', code)
  return url.href
}
