import type { CodeKind } from '../../types/grant.js'
import type { CodeRecord } from '../../types/store.js'
import type { AuthcodeContext } from '../context.js'
import { EventHandlerFailedError } from '../errors/errors.js'
import { generateCode, sha256 } from '../helpers/random.js'
import { slotTag } from '../stores/slot-tag.js'
import { idempotencyKeyInFlight } from './idempotency.js'

/** What an endpoint asks to be issued. */
export interface IssueRequest {
  kind: CodeKind
  subject: string
  clientId: string
  ttlSeconds: number
  scope?: string
  redirectUri?: string
  codeChallenge?: string
  integrationContext?: Record<string, unknown>
  transactionState?: unknown
  /** Builds the magic link for the new code, carried by the `CodeIssued` event. */
  magicLink?: (code: string) => string
}

/** A code as handed to the caller, once. */
export interface IssuedCode {
  code: string
  record: CodeRecord
  magicLink?: string
}

/** A claimed Idempotency-Key whose answer is stored with the code. */
export interface IdempotentIssue {
  keyId: string
  owner: string
  ttlSeconds: number
  /** Seals the answer the caller will get for this code. */
  seal(issued: IssuedCode): string
}

/**
 * Generates a code, stores it under its SHA-256 with its TTL, then awaits the
 * `authorization.CodeIssued` handlers. If one throws, the code is deleted again and the
 * request fails with `event-handler-failed`: nobody holds a code the host did not accept.
 *
 * With `idempotency`, the handlers run first and the code is stored only once they accept it,
 * saved with the sealed answer in one store step (drawn into the hash slot of the key's record
 * when the store keeps the two in one Redis Cluster slot). Until then the key's record is in flight (retries get 409), so no retry can replay an
 * answer whose handlers later fail; a failing handler leaves nothing stored.
 * @throws EventHandlerFailedError when a handler throws.
 * @throws ProblemError `idempotency-key-in-flight` if the key's lock expired and was taken over.
 */
export async function issueCode(ctx: AuthcodeContext, request: IssueRequest, idempotency?: IdempotentIssue): Promise<IssuedCode> {
  const code = generateCode(idempotency && ctx.options.store.requiresSharedSlotTag === true ? slotTag(idempotency.keyId) : undefined)
  const id = sha256(code)
  const issuedAt = Date.now()
  const { magicLink: buildLink, ttlSeconds, ...bound } = request
  const record: CodeRecord = { ...bound, issuedAt, expiresAt: issuedAt + ttlSeconds * 1000 }
  const magicLink = buildLink?.(code)
  const issued: IssuedCode = { code, record, ...(magicLink === undefined ? {} : { magicLink }) }
  if (idempotency) {
    await announce(ctx, issued)
    const { keyId, owner, ttlSeconds: keptFor } = idempotency
    if (!(await ctx.options.store.save(id, record, { keyId, owner, ttlSeconds: keptFor, answer: idempotency.seal(issued) })))
      throw idempotencyKeyInFlight()
    return issued
  }
  await ctx.options.store.save(id, record)
  try {
    await announce(ctx, issued)
  } catch (err) {
    await ctx.options.store.delete(id).catch(() => undefined)
    throw err
  }
  return issued
}

async function announce(ctx: AuthcodeContext, { code, record, magicLink }: IssuedCode): Promise<void> {
  try {
    await ctx.events.emit('authorization.CodeIssued', {
      code,
      kind: record.kind,
      subject: record.subject,
      clientId: record.clientId,
      expiresAt: new Date(record.expiresAt),
      ...(magicLink === undefined ? {} : { magicLink }),
      ...(record.integrationContext === undefined ? {} : { integrationContext: record.integrationContext }),
    })
  } catch (err) {
    throw new EventHandlerFailedError('authorization.CodeIssued', err)
  }
}
