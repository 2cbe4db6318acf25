import type { Request, RequestHandler, Response } from 'express'
import type { AuthcodeContext } from '../context.js'
import { parseCodesBody, type CodesBody } from '../core/codes-body.js'
import { claimIdempotencyKey, IdempotencyKey, type StoredAnswer } from '../core/idempotency.js'
import { issueCode, type IssuedCode } from '../core/issue-code.js'
import { sha256 } from '../helpers/random.js'
import { callerOf } from '../middleware/bearer-auth.js'
import { createLimiter } from '../middleware/rate-limit.js'
import { sendJson } from '../helpers/send-json.js'

const kIssued = Symbol('authcode.issued')

interface IssuedState {
  subject?: string
  /** Set once a new code was issued: only those count against the rate limits. */
  issued?: boolean
}

const stateOf = (res: Response): IssuedState => ((res.locals as Record<symbol, IssuedState>)[kIssued] ??= {})

/**
 * `POST /codes`: a magic-link code for `external_user_id`, for an authenticated back-end
 * service. The body is validated before any store round trip; then one atomic step claims the
 * Idempotency-Key (or finds the answer to replay), the rate limits count the new code, the
 * `CodeIssued` handlers accept it, and one more step saves the code together with its sealed
 * answer. A replay answers the stored status and body with `Idempotent-Replayed: true` and
 * counts against no limit.
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 */
export function codesHandler(ctx: AuthcodeContext): RequestHandler {
  const { store, idempotencyTtl, magicLinkUrl, singleActiveCode } = ctx.options
  const countIssued = { skipFailedRequests: true, requestWasSuccessful: (_req: Request, res: Response) => stateOf(res).issued === true }
  const limiters = [
    ...createLimiter(ctx, 'perClient', 'codes', (_req, res) => callerOf(res).clientId, countIssued),
    ...createLimiter(
      ctx,
      'perSubject',
      'codes',
      (_req, res) => `${callerOf(res).clientId}:${sha256(stateOf(res).subject ?? '')}`,
      countIssued,
    ),
  ]

  return async function issueMagicLinkCode(req, res) {
    const { clientId } = callerOf(res)
    const key = IdempotencyKey.fromHeader(clientId, req.get('Idempotency-Key'))
    const body = parseCodesBody(ctx.options, clientId, req.body)
    const claim = await claimIdempotencyKey(store, key, key.fingerprint(body))
    if (claim.kind === 'replay') {
      res.setHeader('Idempotent-Replayed', 'true')
      sendJson(res, claim.answer.status, claim.answer.body)
      return
    }
    let issued: IssuedCode
    try {
      stateOf(res).subject = body.external_user_id
      for (const limiter of limiters) await runMiddleware(limiter, req, res)
      issued = await issueCode(
        ctx,
        {
          kind: 'magic_link',
          subject: body.external_user_id,
          clientId,
          ttlSeconds: body.ttl,
          ...(body.integration_context === undefined ? {} : { integrationContext: body.integration_context }),
          ...(magicLinkUrl === undefined ? {} : { magicLink: (code: string) => magicLink(magicLinkUrl, code) }),
        },
        { keyId: key.id, owner: claim.owner, ttlSeconds: idempotencyTtl, seal: (code) => key.seal(answerFor(code, body)) },
      )
    } catch (err) {
      // Nothing was stored for this key: free it, so a retry can succeed.
      await store.releaseIdempotencyKey(key.id, claim.owner).catch(() => undefined)
      throw err
    }
    stateOf(res).issued = true
    if (singleActiveCode)
      await store.replaceActive(sha256(`${clientId}\n${body.external_user_id}`), sha256(issued.code), issued.record.expiresAt - Date.now())
    const answer = answerFor(issued, body)
    sendJson(res, answer.status, answer.body)
  }
}

/** The 201 a new code gets, and every replay of it. */
function answerFor({ code, record, magicLink }: IssuedCode, body: CodesBody): StoredAnswer {
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
function magicLink(base: string, code: string): string {
  const url = new URL(base)
  url.searchParams.set('code', code)
  return url.href
}

function runMiddleware(middleware: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void middleware(req, res, (err?: unknown) => (err === undefined ? resolve() : reject(err)))
  })
}
