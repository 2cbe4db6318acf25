import type { IdempotentAnswer, StoredCode } from '../../types/store.js'
import { orUnavailable, type SendRedisCommand } from './redis-commands.js'
import type { RedisKeys } from './redis-keys.js'
import { FILE, POINT, SAVE, SAVE_AND_FILE } from './redis-scripts.js'

/** An owner-index member: the client and the code id. */
export const ownerMember = (clientId: string, id: string) => `${clientId}\n${id}`

/** What a passcode pointer holds: the code's id, and the binding its passcode asks for when it has one. */
const pointerValue = (id: string, binding: string | undefined) => (binding === undefined ? id : `${id} ${binding}`)

/**
 * Saves a code, its passcode and idempotent answer, files it under its owner and points the
 * owner's passcode pointer at it. On one server that is one script; on a Redis Cluster, whose
 * scripts may only touch one hash slot, the filing and the pointing follow the save, together.
 * Resolves whether the code was saved, and the code whose passcode this one replaced, if any.
 */
export async function saveCode(
  send: SendRedisCommand,
  keys: RedisKeys,
  cluster: boolean,
  id: string,
  code: StoredCode,
  idempotency: IdempotentAnswer | undefined,
): Promise<{ saved: boolean; replaced?: string }> {
  const { passcode, owner } = code
  const now = Date.now()
  const ttl = Math.max(1, code.expiresAt - now)
  const codeKeys = [keys.code(id), keys.passcode(id), idempotency ? keys.idempotency(idempotency.keyId) : keys.code(id)]
  const saveArgs = [
    code.value,
    String(ttl),
    passcode?.mac ?? '',
    passcode?.wrappedKey ?? '',
    String(passcode?.maxAttempts ?? 0),
    idempotency?.owner ?? '',
    idempotency?.answer ?? '',
    String(idempotency?.ttlSeconds ?? 0),
  ]
  const member = owner && ownerMember(owner.clientId, id)
  const replacedOf = (previous: unknown) =>
    typeof previous === 'string' && previous !== '' && previous !== id ? { replaced: previous } : {}
  if (!cluster) {
    const fileKeys = owner ? [keys.owner(owner.group), ...(passcode ? [keys.pointer(passcode.group)] : [])] : []
    const fileArgs = member ? [member, String(now), pointerValue(id, passcode?.binding)] : []
    const reply = (await orUnavailable(SAVE_AND_FILE.run(send, [...codeKeys, ...fileKeys], [...saveArgs, ...fileArgs]))) as unknown[]
    return { saved: reply[0] === 1, ...replacedOf(reply[1]) }
  }
  if ((await orUnavailable(SAVE.run(send, codeKeys, saveArgs))) !== 1) return { saved: false }
  const expiresAt = String(now + ttl)
  const [, previous] = await Promise.all([
    owner && member ? orUnavailable(FILE.run(send, [keys.owner(owner.group)], [member, expiresAt, String(now)])) : undefined,
    passcode ? orUnavailable(POINT.run(send, [keys.pointer(passcode.group)], [pointerValue(id, passcode.binding), expiresAt])) : undefined,
  ])
  return { saved: true, ...replacedOf(previous) }
}
