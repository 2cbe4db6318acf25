import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit'
import { LuaScript, orUnavailable, type SendRedisCommand } from './redis-commands.js'

/** Counts a hit and starts the window on the first one, in one step: `{ hits, ms left }`. */
const INCREMENT = new LuaScript(`
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { hits, ttl }
`)

/**
 * An express-rate-limit store on the code store's Redis connection: one key per limited
 * client, every command under the same deadline as code operations, and every failure a
 * `StoreUnavailableError` (503), so a Redis outage never fails open. Unlike rate-limit-redis it
 * keeps no script state between calls (EVALSHA, EVAL on NOSCRIPT), so it recovers by itself
 * when Redis comes back empty, even if it was created while Redis was away.
 */
export class RedisRateLimitStore implements Store {
  readonly localKeys = false
  #windowMs = 60_000

  constructor(
    readonly prefix: string,
    private readonly send: SendRedisCommand,
  ) {}

  init(options: Options): void {
    this.#windowMs = options.windowMs
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const reply = await orUnavailable(INCREMENT.run(this.send, [this.prefix + key], [String(this.#windowMs)]))
    const [hits, ttl] = Array.isArray(reply) ? reply.map(Number) : []
    if (hits === undefined || ttl === undefined || Number.isNaN(hits + ttl))
      throw new TypeError('unexpected reply from Redis to the rate-limit script')
    return { totalHits: hits, resetTime: new Date(Date.now() + ttl) }
  }

  /** The hits counted in the key's window (a read, on the master), for a caller that decides before counting. */
  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const reply = await orUnavailable(this.send({ key: this.prefix + key, isReadOnly: false, command: ['GET', this.prefix + key] }))
    return reply === null ? undefined : { totalHits: Number(reply), resetTime: undefined }
  }

  async decrement(key: string): Promise<void> {
    await orUnavailable(this.send({ key: this.prefix + key, isReadOnly: false, command: ['DECR', this.prefix + key] }))
  }

  async resetKey(key: string): Promise<void> {
    await orUnavailable(this.send({ key: this.prefix + key, isReadOnly: false, command: ['DEL', this.prefix + key] }))
  }
}
