import type { ClientRecordStore } from '../../types/store.js'
import { orUnavailable, type SendRedisCommand } from './redis-commands.js'
import type { RedisKeys } from './redis-keys.js'

/** Client records of a {@link RedisStore}: one string key each, with its TTL (`SET … PX`, `NX` to add). */
export function redisClientStore(send: SendRedisCommand, keys: RedisKeys): ClientRecordStore {
  const set = (id: string, value: string, ttlMs: number, ...flags: string[]) =>
    orUnavailable(
      send({ key: keys.client(id), isReadOnly: false, command: ['SET', keys.client(id), value, 'PX', String(ttlMs), ...flags] }),
    )
  return {
    add: async (id, value, ttlMs) => (await set(id, value, ttlMs, 'NX')) !== null,
    put: async (id, value, ttlMs) => void (await set(id, value, ttlMs)),
    get: async (id) =>
      ((await orUnavailable(send({ key: keys.client(id), isReadOnly: true, command: ['GET', keys.client(id)] }))) as string | null) ??
      undefined,
  }
}
