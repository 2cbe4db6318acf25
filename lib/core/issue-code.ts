import type { CodeKind } from '../../types/grant.js'
import type { CodeRecord } from '../../types/store.js'
import type { AuthcodeContext } from '../context.js'
import { EventHandlerFailedError } from '../errors/errors.js'
import { generateCode, sha256 } from '../helpers/random.js'

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

/**
 * Generates a code, stores it under its SHA-256 with its TTL, then awaits the
 * `authorization.CodeIssued` handlers. If one throws, the code is deleted again and the
 * request fails with `event-handler-failed`: nobody holds a code the host did not accept.
 */
export async function issueCode(ctx: AuthcodeContext, request: IssueRequest): Promise<IssuedCode> {
  const code = generateCode()
  const id = sha256(code)
  const issuedAt = Date.now()
  const { magicLink: buildLink, ttlSeconds, ...bound } = request
  const record: CodeRecord = { ...bound, issuedAt, expiresAt: issuedAt + ttlSeconds * 1000 }
  await ctx.options.store.save(id, record)
  const magicLink = buildLink?.(code)
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
    await ctx.options.store.delete(id).catch(() => undefined)
    throw new EventHandlerFailedError('authorization.CodeIssued', err)
  }
  return { code, record, ...(magicLink === undefined ? {} : { magicLink }) }
}
