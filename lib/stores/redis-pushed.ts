import type { PushedRequestStore } from '../../types/store.js'
import { LuaScript, orUnavailable, type SendRedisCommand } from './redis-commands.js'
import type { RedisKeys } from './redis-keys.js'

/**
 * Reads a pushed request (a hash: `v` its value, `o` set once it was opened) and, at its first
 * read, sets its TTL to ARGV[1] milliseconds: the round trips it may last from then. Nil: unknown,
 * expired or spent.
 */
const OPEN = new LuaScript(`
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return false end
if redis.call('HSETNX', KEYS[1], 'o', '1') == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return v
`)

/** Saves a new pushed request with its TTL, in one step: never a key without one. */
const SAVE = new LuaScript(`
redis.call('HSET', KEYS[1], 'v', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
`)

/** Pushed requests of a {@link RedisStore}: one hash each, spent by `DEL` (whose count says who spent it). */
export function redisPushedRequests(send: SendRedisCommand, keys: RedisKeys, durable: (key: string) => Promise<void>): PushedRequestStore {
  return {
    async save(id, value, ttlMs) {
      await orUnavailable(SAVE.run(send, [keys.pushed(id)], [value, String(ttlMs)]))
    },
    open: async (id, holdMs) => ((await orUnavailable(OPEN.run(send, [keys.pushed(id)], [String(holdMs)]))) as string | null) ?? undefined,
    async spend(id) {
      const key = keys.pushed(id)
      const spent = Number(await orUnavailable(send({ key, isReadOnly: false, command: ['DEL', key] }))) === 1
      // A failover must not bring a spent request back.
      if (spent) await durable(key)
      return spent
    },
  }
}
