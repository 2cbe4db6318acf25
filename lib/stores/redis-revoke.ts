import { orUnavailable, type SendRedisCommand } from './redis-commands.js'
import type { RedisKeys } from './redis-keys.js'
import { REVOKE } from './redis-scripts.js'

/**
 * `RedisStore.revoke`: deletes every live code (and its passcode) of an owner `group` listed in
 * its index, of one client or all, but `except`; resolves how many, once durable.
 */
export async function revokeOnRedis(
  send: SendRedisCommand,
  keys: RedisKeys,
  durableAll: (keys: readonly string[]) => Promise<void>,
  group: string,
  { clientId, except }: { clientId?: string; except?: string },
): Promise<number> {
  const index = keys.owner(group)
  const members = (await orUnavailable(send({ key: index, isReadOnly: false, command: ['ZRANGE', index, '0', '-1'] }))) as string[]
  const chosen = members
    .map((member) => {
      const [memberClient, id] = member.split('\n') as [string, string]
      return { member, memberClient, id }
    })
    .filter(({ memberClient, id }) => (clientId === undefined || memberClient === clientId) && id !== except)
  if (chosen.length === 0) return 0
  // Each code in its own hash slot: one script each, all at once, then one ZREM for the index.
  const deleted = await Promise.all(chosen.map(({ id }) => orUnavailable(REVOKE.run(send, [keys.code(id), keys.passcode(id)], []))))
  await orUnavailable(send({ key: index, isReadOnly: false, command: ['ZREM', index, ...chosen.map(({ member }) => member)] }))
  // A revocation a failover could undo would let a reported phishing link work again.
  await durableAll(chosen.map(({ id }) => keys.code(id)))
  return deleted.reduce<number>((sum, one) => sum + Number(one), 0)
}
