import type { ApprovalDecision, ApprovalOutcome, ApprovalState, ApprovalStore } from '../../types/store.js'
import { LuaScript, orUnavailable, type SendRedisCommand } from './redis-commands.js'
import type { RedisKeys } from './redis-keys.js'

// An approval is one string under its code's hash slot: `A` + what it keeps when approved, `X` when cancelled.

/**
 * Decides on the code KEYS 1 (its passcode KEYS 2) once, in one step: an approval already there
 * (KEYS 3) is returned as it is and nothing changes; a code that is not live is nil; else ARGV 1
 * is kept for the code's remaining TTL less a millisecond (the clock may tick between the two
 * commands: it never outlives the code), a cancellation (`X`) burns the code as a last wrong
 * passcode does (consumed marker, passcode gone), and 1 says this call decided.
 */
const DECIDE = new LuaScript(`
local d = redis.call('GET', KEYS[3])
if d then return d end
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, 1) ~= 'L' then return false end
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 1 then return false end
redis.call('SET', KEYS[3], ARGV[1], 'PX', ttl - 1)
if ARGV[1] == 'X' then
  redis.call('SET', KEYS[1], 'C' .. string.sub(v, 2), 'KEEPTTL')
  redis.call('DEL', KEYS[2])
end
return 1
`)

/**
 * Approvals of a {@link RedisStore}: a decision is one script on the code's hash slot, a read one
 * `MGET` of the code and its approval (same slot, one round trip).
 * @param durable waits for the replicas to hold the writes to a key (see `durableWrites`).
 */
export function redisApprovals(send: SendRedisCommand, keys: RedisKeys, durable: (key: string) => Promise<void>): ApprovalStore {
  return {
    async decide(id: string, decision: ApprovalDecision): Promise<ApprovalOutcome> {
      const approval = keys.approval(id)
      const kept = decision.approve ? `A${decision.value}` : 'X'
      const reply = await orUnavailable(DECIDE.run(send, [keys.code(id), keys.passcode(id), approval], [kept]))
      if (typeof reply === 'string') return { status: 'already', approved: reply.startsWith('A') }
      if (reply === null || reply === false) return { status: 'missing' }
      // A failover must not bring back an undecided sign-in, or a cancelled code.
      await durable(approval)
      return { status: 'decided' }
    },
    async read(id: string): Promise<ApprovalState> {
      const code = keys.code(id)
      const reply = await orUnavailable(send({ key: code, isReadOnly: true, command: ['MGET', code, keys.approval(id)] }))
      const [value, approval] = Array.isArray(reply) ? reply : []
      if (approval === 'X') return { status: 'cancelled' }
      if (typeof value !== 'string' || !value.startsWith('L')) return { status: 'expired' }
      return typeof approval === 'string' ? { status: 'approved', value: approval.slice(1) } : { status: 'pending' }
    },
  }
}
