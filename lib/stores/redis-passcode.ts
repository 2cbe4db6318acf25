import type { PasscodeAttempt, PasscodeResult } from '../../types/store.js'
import { LuaScript, orUnavailable, type SendRedisCommand } from './redis-commands.js'
import type { RedisKeys } from './redis-keys.js'

/**
 * Reads a group's passcode pointer (KEYS 1) and charges its failure count (KEYS 2, in the same
 * hash slot) one failure, in one step: `{'none'}` without a pointer, `{'mismatch', id}` for a
 * bound passcode presented without its binding (ARGV 1; nothing charged), `{'locked', id}` once
 * the count reached the budget (ARGV 2) of its window (ARGV 3, ms, from the first failure),
 * else `{'reserved', id}`. No number of concurrent callers gets more than the budget reserved.
 */
const RESERVE = new LuaScript(`
local p = redis.call('GET', KEYS[1])
if not p then return {'none'} end
local id, binding = string.match(p, '^([^ ]*) ?(.*)$')
if binding ~= '' and binding ~= ARGV[1] then return {'mismatch', id} end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[2]) then return {'locked', id} end
redis.call('INCR', KEYS[2])
if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return {'reserved', id}
`)

/**
 * Checks a passcode (KEYS 2) of a code (KEYS 1) in one step: the right HMAC (ARGV 1) consumes
 * both; a wrong one counts, and the last allowed one burns the grant. Nothing is evaluated once
 * the attempts are spent.
 */
const PASSCODE = new LuaScript(`
local p = redis.call('GET', KEYS[2])
if not p then return {'missing'} end
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, 1) ~= 'L' then
  redis.call('DEL', KEYS[2])
  return {'missing'}
end
local first = string.find(p, ' ', 1, true)
local second = string.find(p, ' ', first + 1, true)
local right = string.sub(p, first + 1, second - 1) == ARGV[1]
local left = tonumber(string.sub(p, 1, first - 1)) - 1
if not right and left > 0 then
  redis.call('SET', KEYS[2], left .. string.sub(p, first), 'KEEPTTL')
  return {'wrong', left}
end
redis.call('SET', KEYS[1], 'C' .. string.sub(v, 2), 'KEEPTTL')
redis.call('DEL', KEYS[2])
if not right then return {'burned'} end
return {'consumed', string.sub(v, 2), string.sub(p, second + 1)}
`)

/** Gives a reserved failure back (KEYS 1): the passcode was right. Never below zero, never touching the window. */
const SETTLE = new LuaScript(`
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 1
`)

type Reservation = ['none'] | ['mismatch' | 'locked' | 'reserved', string]

/**
 * {@link CodeStore.consumePasscode} on Redis, in three steps a Redis Cluster allows (each script
 * on one hash slot): reserve a failure on the group's slot, evaluate on the code's, and give the
 * failure back if the passcode was right. Every refusal runs the same two scripts and the same
 * two waits for replicas (one per key, even where one would do, so that a Cluster too waits
 * alike): with nothing to evaluate, the second script runs on a key that never exists.
 * @param durable waits for the replicas to hold the writes to a key (see `durableWrites`).
 */
export async function consumePasscodeOnRedis(
  send: SendRedisCommand,
  keys: RedisKeys,
  durable: (key: string) => Promise<void>,
  group: string,
  attempt: PasscodeAttempt,
): Promise<PasscodeResult> {
  const failures = keys.failures(group)
  const budget = [attempt.binding, String(attempt.maxFailures), String(Math.max(1, Math.ceil(attempt.windowMs)))]
  const [state, pointed] = (await orUnavailable(RESERVE.run(send, [keys.pointer(group), failures], budget))) as Reservation
  // The group's own id never names a code: a decoy for refusals that have nothing to evaluate.
  // A locked group's passcode is refused unread and left alone: burning it would let anyone who
  // spends a user's budget also spend that user's link.
  const id = state === 'reserved' ? pointed : group
  const codeKey = keys.code(id)
  const reply = (await orUnavailable(PASSCODE.run(send, [codeKey, keys.passcode(id)], [attempt.macFor(id)]))) as [string, ...unknown[]]
  await Promise.all([durable(failures), durable(codeKey)])
  if (state === 'none') return { status: 'missing' }
  if (state !== 'reserved') return { status: state }
  const [status, value, wrappedKey] = reply
  if (status === 'wrong') return { status, attemptsLeft: Number(value) }
  if (status === 'burned') return { status, id }
  if (status !== 'consumed') return { status: 'missing' }
  await orUnavailable(SETTLE.run(send, [failures], []))
  return { status, id, value: String(value), wrappedKey: String(wrappedKey) }
}
