import { LuaScript } from './redis-commands.js'

/**
 * Marks a live record consumed and returns what it held, in one atomic step: `L…` was live
 * (this call consumed it), `C…` was already consumed (a replay), nil is unknown or expired.
 * The marker keeps the original TTL, so reuse is detected until the code would have expired.
 */
export const CONSUME = new LuaScript(`
local v = redis.call('GET', KEYS[1])
if not v then return false end
if string.sub(v, 1, 1) == 'L' then
  redis.call('SET', KEYS[1], 'C' .. string.sub(v, 2), 'KEEPTTL')
end
return v
`)

/** Takes an idempotency key (a hash: state, fp, owner, answer) or returns what it holds. */
export const CLAIM = new LuaScript(`
local r = redis.call('HMGET', KEYS[1], 'state', 'fp', 'answer')
if not r[1] then
  redis.call('HSET', KEYS[1], 'state', 'pending', 'fp', ARGV[1], 'owner', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {'claimed'}
end
return r
`)

/** Saves a code and the answer of the request that holds the idempotency key, in one step. */
export const SAVE_ANSWERED = new LuaScript(`
if redis.call('HGET', KEYS[2], 'owner') ~= ARGV[3] then return 0 end
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 0 end
redis.call('HSET', KEYS[2], 'state', 'done', 'answer', ARGV[4])
redis.call('HDEL', KEYS[2], 'owner')
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1
`)

/** Drops an idempotency key only if `owner` still holds it. */
export const RELEASE = new LuaScript(`
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`)

/** Deletes a code that is still live; a consumed one keeps its reuse marker. */
export const REVOKE = new LuaScript(`
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 1) == 'L' then redis.call('DEL', KEYS[1]) end
return 1
`)
