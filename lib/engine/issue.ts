import type { IdempotentAnswer, StoredCode } from '../../types/store.js'
import type { AtRest } from './at-rest.js'
import { EventHandlerFailedError } from '../errors/problems.js'
import { drawCode, TAG_LENGTH, type Colocation } from './codes.js'
import { passcodeGroup, storedPasscode } from './passcode.js'
import { sealRecord, type CodeRecord } from './record.js'
import type { Engine } from './engine.js'
import { idempotencyKeyInFlight } from './idempotency.js'

/** What an endpoint asks to be issued: the record of the code, but for its lifetime in seconds instead of its times. */
export interface IssueRequest extends Omit<CodeRecord, 'issuedAt' | 'expiresAt'> {
  ttlSeconds: number
}

/** A code drawn for a grant and not stored yet: the caller builds what it hands out from it. */
export interface CodeDraft {
  code: string
  /** The code's id in the store: its first two characters and 128 bits of a hash of it (keyed with `atRestKey` when given). */
  id: string
  record: CodeRecord
}

/**
 * Draws a code for `request`. With `colocateWith`, the id of an idempotency record the code
 * will be saved with, the code is one the store can save together with that record: where the
 * store needs it (a Redis Cluster), it starts with the record id's first two characters, its
 * hash tag.
 */
export function draftCode(engine: Engine, request: IssueRequest, colocateWith?: string): CodeDraft {
  const { store } = engine
  const colocate: Colocation | undefined =
    colocateWith !== undefined && store.acceptsCodeId
      ? { tag: colocateWith.slice(0, TAG_LENGTH), accept: (id) => store.acceptsCodeId?.(id, colocateWith) === true }
      : undefined
  const { code, id } = drawCode((drawn) => engine.atRest.codeId(drawn), colocate)
  const { ttlSeconds, ...bound } = request
  const issuedAt = Date.now()
  return { code, id, record: { ...bound, issuedAt, expiresAt: issuedAt + ttlSeconds * 1000 } }
}

/** What is handed out with a code besides the code itself. */
export interface IssueExtras {
  /** The magic link carrying the code, for the `CodeIssued` handlers. */
  magicLink?: string
  /** The answer to store under a claimed Idempotency-Key, in the same store step as the code. */
  answer?: IdempotentAnswer
  /** A one-time passcode for the same grant, and how many wrong ones burn it. */
  passcode?: { value: string; maxAttempts: number }
}

/**
 * Issues a drafted code: the `authorization.CodeIssued` handlers accept it first, then it is
 * stored under its id with its TTL (and, with `answer`, the idempotent answer in the same
 * store step). A handler that throws leaves nothing stored and fails the request with
 * `event-handler-failed`: nobody holds a code the host did not accept, and no retry of an
 * Idempotency-Key can replay an answer whose handlers failed (the key stays in flight until
 * the answer is saved).
 * @throws EventHandlerFailedError when a handler throws.
 * @throws ProblemError `idempotency-key-in-flight` when the key's lock expired and another request took it.
 */
export async function issueCode(engine: Engine, draft: CodeDraft, extras: IssueExtras = {}): Promise<void> {
  const { code, record } = draft
  try {
    await engine.events.emit('authorization.CodeIssued', {
      code,
      kind: record.kind,
      subject: record.subject,
      clientId: record.clientId,
      expiresAt: new Date(record.expiresAt),
      ...(extras.magicLink === undefined ? {} : { magicLink: extras.magicLink }),
      ...(extras.passcode === undefined ? {} : { otp: extras.passcode.value }),
      ...(record.integrationContext === undefined ? {} : { integrationContext: record.integrationContext }),
    })
  } catch (err) {
    throw new EventHandlerFailedError('authorization.CodeIssued', err)
  }
  if (await engine.store.save(draft.id, storedCode(engine, draft, extras), extras.answer)) {
    engine.telemetry?.codeIssued(record.kind, record.clientId)
    return
  }
  if (extras.answer) throw idempotencyKeyInFlight()
  // Only an id already taken refuses a plain save: 128-bit hashes of codes with 246 random bits or more do not collide.
  throw new Error('a code id was already taken')
}

/**
 * A drafted code as the store keeps it: sealed, and for a magic link filed under its user (so
 * `auth.revokeCodes()` finds it) with its passcode, if any.
 */
function storedCode(engine: Engine, { code, id, record }: CodeDraft, { passcode }: IssueExtras): StoredCode {
  const { atRest } = engine
  const sealed = sealRecord(atRest, code, id, record)
  if (record.kind !== 'magic_link') return sealed
  const owner = { group: ownerGroup(atRest, record.subject), clientId: record.clientId }
  if (passcode === undefined) return { ...sealed, owner }
  const group = passcodeGroup(atRest, record.clientId, record.subject)
  const ids = { id, group, recordKey: atRest.recordKey(code), challenge: record.codeChallenge }
  return { ...sealed, owner, passcode: storedPasscode(atRest, ids, passcode.value, passcode.maxAttempts) }
}

/** The group `auth.revokeCodes()` empties: a hash of the user id. */
export function ownerGroup(atRest: AtRest, subject: string): string {
  return atRest.digest('owner', subject)
}
