import type { Store as RateLimitStore } from 'express-rate-limit'
import type { StoreHealth } from '../../types/health.js'
import type { RedisConnection } from '../../types/options.js'
import type { CodeStore, ConsumeResult, IdempotencyClaim, IdempotentAnswer, StoredCode } from '../../types/store.js'
import { DEFAULTS } from '../defaults.js'
import { isRedisCluster, orUnavailable, redisCommandSender, type SendRedisCommand } from './redis-commands.js'
import { CLAIM, CONSUME, RELEASE, REVOKE, SAVE_ANSWERED } from './redis-scripts.js'
import { durableWrites, type Durability } from './durability.js'
import { onRedisReady, redisHealth } from './redis-health.js'
import { RedisRateLimitStore } from './redis-rate-limit-store.js'
import { slotTag } from './slot-tag.js'

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** A connected node-redis client, cluster or Sentinel. Never closed by the store. */
  client: RedisConnection
  /** Prefix of every key. @default {@link DEFAULTS.keyPrefix} ('authcode:') */
  prefix?: string
  /** Milliseconds one command (round trip included) may take before the request answers 503. @default {@link DEFAULTS.commandTimeoutMs} (1500) */
  commandTimeoutMs?: number
  /**
   * Wait for replicas to acknowledge every write single use depends on (a consumption, a
   * signature claim, an idempotent answer) before answering, so a failover cannot resurrect a
   * consumed code; too few in time answers 503. Off by default.
   */
  durability?: Durability
}

/**
 * Codes in Redis under `prefix + "{" + tag + "}code:" + SHA-256(code)` and idempotency
 * records under `prefix + "{" + tag + "}idem:" + keyId`, where the hash tag is
 * {@link slotTag} of the id: each operation is one command or script on one hash slot
 * (cluster-safe). A code is saved together with its idempotent answer in one script; on a
 * Redis Cluster that script needs the code drawn with its idempotency record's tag, on a
 * standalone server or Sentinel any two keys may share it. One-time claims live under
 * `prefix + "once:" + id`.
 */
export class RedisStore implements CodeStore {
  readonly prefix: string
  /** True on a Redis Cluster: a script may only touch keys of one hash slot. */
  readonly #cluster: boolean
  readonly #send: SendRedisCommand
  readonly #durable: (key: string) => Promise<void>
  readonly #client: RedisConnection
  /** Held here so that the connection, which holds them weakly, calls them while this store lives. */
  readonly #reconnectListeners = new Set<() => void>()

  constructor(options: RedisStoreOptions) {
    this.prefix = options.prefix ?? DEFAULTS.keyPrefix
    this.#client = options.client
    this.#cluster = isRedisCluster(options.client)
    this.#send = redisCommandSender(options.client, options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs)
    this.#durable = durableWrites(this.#send, options.durability)
  }

  /** On a Redis Cluster, a code saved with an idempotent answer must share its record's hash slot; elsewhere any id will do. */
  acceptsCodeId(id: string, keyId: string): boolean {
    return !this.#cluster || slotTag(id) === slotTag(keyId)
  }

  async save(id: string, code: StoredCode, idempotency?: IdempotentAnswer): Promise<boolean> {
    const key = this.#key(id)
    const value = `L${code.value}`
    const ttl = String(Math.max(1, code.expiresAt - Date.now()))
    if (!idempotency) return (await this.#run({ key, isReadOnly: false, command: ['SET', key, value, 'PX', ttl, 'NX'] })) !== null
    const { keyId, owner, answer, ttlSeconds } = idempotency
    if (!this.acceptsCodeId(id, keyId))
      throw new TypeError('RedisStore: save a code with an answer only under an id acceptsCodeId() accepts')
    const saved = await orUnavailable(
      SAVE_ANSWERED.run(this.#send, [key, this.#idemKey(keyId)], [value, ttl, owner, answer, String(ttlSeconds)]),
    )
    if (saved !== 1) return false
    await this.#durable(key)
    return true
  }

  async consume(id: string): Promise<ConsumeResult> {
    const key = this.#key(id)
    const reply = await orUnavailable(CONSUME.run(this.#send, [key], []))
    if (typeof reply !== 'string') return { status: 'missing' }
    if (!reply.startsWith('L')) return { status: 'reused', value: reply.slice(1) }
    await this.#durable(key)
    return { status: 'consumed', value: reply.slice(1) }
  }

  async delete(id: string): Promise<void> {
    await this.#run({ key: this.#key(id), isReadOnly: false, command: ['DEL', this.#key(id)] })
  }

  async claimOnce(id: string, ttlMs: number): Promise<boolean> {
    const key = `${this.prefix}once:${id}`
    const reply = await this.#run({ key, isReadOnly: false, command: ['SET', key, '1', 'PX', String(Math.max(1, Math.ceil(ttlMs))), 'NX'] })
    if (reply !== 'OK') return false
    await this.#durable(key)
    return true
  }

  async claimIdempotencyKey(keyId: string, fingerprint: string, owner: string, lockMs: number): Promise<IdempotencyClaim> {
    const reply = await orUnavailable(CLAIM.run(this.#send, [this.#idemKey(keyId)], [fingerprint, owner, String(lockMs)]))
    const [state, fp, answer] = reply as Array<string | null>
    if (state === 'claimed') return { status: 'claimed' }
    if (state === 'done' && typeof answer === 'string') return { status: 'done', fingerprint: String(fp), answer }
    return { status: 'in-flight', fingerprint: String(fp) }
  }

  async releaseIdempotencyKey(keyId: string, owner: string): Promise<void> {
    await orUnavailable(RELEASE.run(this.#send, [this.#idemKey(keyId)], [owner]))
  }

  async replaceActive(groupId: string, id: string, ttlMs: number): Promise<void> {
    const key = `${this.prefix}active:${groupId}`
    const previous = await this.#run({ key, isReadOnly: false, command: ['SET', key, id, 'PX', String(Math.max(1, ttlMs)), 'GET'] })
    if (typeof previous === 'string' && previous !== id) await orUnavailable(REVOKE.run(this.#send, [this.#key(previous)], []))
  }

  rateLimitStore(prefix: string): RateLimitStore {
    return new RedisRateLimitStore(this.prefix + prefix, this.#send)
  }

  /** `PING`, `INFO memory` and `INFO replication`: reachability, latency, eviction policy and replicas. Never rejects. */
  health(): Promise<StoreHealth> {
    return redisHealth(this.#send)
  }

  /** Calls `listener` whenever the client is ready again after a reconnect (`ready`; `node-ready` on a cluster). */
  onReconnect(listener: () => void): void {
    this.#reconnectListeners.add(listener)
    onRedisReady(this.#client, listener)
  }

  #key(id: string): string {
    return `${this.prefix}{${slotTag(id)}}code:${id}`
  }

  #idemKey(keyId: string): string {
    return `${this.prefix}{${slotTag(keyId)}}idem:${keyId}`
  }

  #run(command: Parameters<SendRedisCommand>[0]): Promise<unknown> {
    return orUnavailable(this.#send(command))
  }
}
