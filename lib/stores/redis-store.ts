import { RedisStore as RateLimitRedisStore } from 'rate-limit-redis'
import type { Store as RateLimitStore } from 'express-rate-limit'
import type { RedisConnection } from '../../types/options.js'
import type { CodeRecord, CodeStore, ConsumeResult } from '../../types/store.js'
import { StoreUnavailableError } from '../errors/errors.js'
import { LuaScript, redisCommandSender, type SendRedisCommand } from './redis-commands.js'

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** A connected node-redis client, cluster or Sentinel. Never closed by the store. */
  client: RedisConnection
  /** Prefix of every key. @default 'authcode:' */
  prefix?: string
  /** Milliseconds one command may take before the request answers 503. @default 1500 */
  commandTimeoutMs?: number
}

/**
 * Marks a live record consumed and returns what it held, in one atomic step: `L…` was live
 * (this call consumed it), `C…` was already consumed (a replay), nil is unknown or expired.
 * The marker keeps the original TTL, so reuse is detected until the code would have expired.
 */
const CONSUME = new LuaScript(`
local v = redis.call('GET', KEYS[1])
if not v then return false end
if string.sub(v, 1, 1) == 'L' then
  redis.call('SET', KEYS[1], 'C' .. string.sub(v, 2), 'KEEPTTL')
end
return v
`)

/**
 * Codes in Redis under `prefix + "code:" + SHA-256(code)`, one-time claims under
 * `prefix + "once:" + id`: one key each, so every operation is a single command or script
 * on a single hash slot (cluster-safe).
 */
export class RedisStore implements CodeStore {
  readonly prefix: string
  readonly #send: SendRedisCommand

  constructor(options: RedisStoreOptions) {
    this.prefix = options.prefix ?? 'authcode:'
    this.#send = redisCommandSender(options.client, options.commandTimeoutMs ?? 1500)
  }

  async save(id: string, record: CodeRecord): Promise<void> {
    const ttl = Math.max(1, record.expiresAt - Date.now())
    await this.#run({ key: this.#key(id), isReadOnly: false, command: ['SET', this.#key(id), `L${JSON.stringify(record)}`, 'PX', String(ttl), 'NX'] })
  }

  async consume(id: string): Promise<ConsumeResult> {
    const key = this.#key(id)
    const reply = await this.#guard(CONSUME.run(this.#send, [key], []))
    if (typeof reply !== 'string') return { status: 'missing' }
    const record = JSON.parse(reply.slice(1)) as CodeRecord
    return { status: reply.startsWith('L') ? 'consumed' : 'reused', record }
  }

  async delete(id: string): Promise<void> {
    await this.#run({ key: this.#key(id), isReadOnly: false, command: ['DEL', this.#key(id)] })
  }

  async claimOnce(id: string, ttlMs: number): Promise<boolean> {
    const key = `${this.prefix}once:${id}`
    const reply = await this.#run({ key, isReadOnly: false, command: ['SET', key, '1', 'PX', String(Math.max(1, Math.ceil(ttlMs))), 'NX'] })
    return reply === 'OK'
  }

  rateLimitStore(prefix: string): RateLimitStore {
    const send = this.#send
    return new RateLimitRedisStore({
      prefix: this.prefix + prefix,
      sendCommandCluster: (command) => send(command) as Promise<string | number | boolean>,
    })
  }

  #key(id: string): string {
    return `${this.prefix}code:${id}`
  }

  #run(command: Parameters<SendRedisCommand>[0]): Promise<unknown> {
    return this.#guard(this.#send(command))
  }

  async #guard<T>(pending: Promise<T>): Promise<T> {
    try {
      return await pending
    } catch (err) {
      throw new StoreUnavailableError(err)
    }
  }
}
