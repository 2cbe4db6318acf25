import type { Store as RateLimitStore } from 'express-rate-limit'
import type { StoreHealth } from '../../types/health.js'
import type { RedisConnection } from '../../types/options.js'
import type {
  ApprovalStore,
  ClientRecordStore,
  CodeStore,
  ConsumeResult,
  IdempotencyClaim,
  IdempotentAnswer,
  PasscodeAttempt,
  PasscodeResult,
  PeekResult,
  PushedRequestStore,
  StoredCode,
} from '../../types/store.js'
import type { RefreshTokenStore } from '../../types/refresh.js'
import { DEFAULTS } from '../defaults.js'
import { durabilityFault, isRedisCluster, orUnavailable, redisCommandSender, type SendRedisCommand } from './redis-commands.js'
import { RedisKeys } from './redis-keys.js'
import { saveCode } from './redis-save.js'
import { CLAIM, CONSUME, RELEASE } from './redis-scripts.js'
import { revokeOnRedis } from './redis-revoke.js'
import { consumePasscodeOnRedis } from './redis-passcode.js'
import { durableWrites, durableWritesTo, type Durability } from './durability.js'
import { onRedisReady, redisHealth } from './redis-health.js'
import { RedisRateLimitStore } from './redis-rate-limit-store.js'
import { RedisRefreshStore } from './redis-refresh.js'
import { redisClientStore } from './redis-clients.js'
import { redisPushedRequests } from './redis-pushed.js'
import { redisApprovals } from './redis-approvals.js'
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
   * Wait for replicas to acknowledge every write single use or revocation depends on (a
   * consumption, a signature claim, an idempotent answer, a revocation, a passcode replacement, a
   * passcode failure count, a refresh-token rotation or family revocation, a cross-device
   * decision) before answering, so a failover cannot resurrect a consumed or revoked code or
   * token; too few in time answers 503 (or rejects). Off by default.
   */
  durability?: Durability
}

/**
 * Codes in Redis, where {@link RedisKeys} says, each operation one command or script on one hash
 * slot (cluster-safe). A code is saved with its passcode and idempotent answer in one script; on
 * a standalone server or Sentinel that script also files it under its owner, on a Redis Cluster
 * a second one does (the code is drawn into its idempotency record's slot there).
 */
export class RedisStore implements CodeStore {
  readonly prefix: string
  /** True on a Redis Cluster: a script may only touch keys of one hash slot. */
  readonly #cluster: boolean
  readonly #send: SendRedisCommand
  readonly #keys: RedisKeys
  readonly #durable: (key: string) => Promise<void>
  /** {@link RedisStore.#durable} after writes to several keys, once per master they may be on. */
  readonly #durableAll: (keys: readonly string[]) => Promise<void>
  /** Replicas `durability` waits for, which `health()` checks are connected. */
  readonly #replicasRequired: number | undefined
  readonly #client: RedisConnection
  /** Held here so that the connection, which holds them weakly, calls them while this store lives. */
  readonly #reconnectListeners = new Set<() => void>()
  #refresh: RedisRefreshStore | undefined
  #clients: ClientRecordStore | undefined

  constructor(options: RedisStoreOptions) {
    this.prefix = options.prefix ?? DEFAULTS.keyPrefix
    this.#keys = new RedisKeys(this.prefix)
    this.#client = options.client
    this.#cluster = isRedisCluster(options.client)
    const fault = options.durability && durabilityFault(options.client)
    if (fault) throw new TypeError(`RedisStore: durability needs its WAIT on the connection and master of the write; ${fault}`)
    this.#send = redisCommandSender(options.client, options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs)
    this.#durable = durableWrites(this.#send, options.durability)
    this.#durableAll = durableWritesTo(this.#durable, this.#cluster)
    this.#replicasRequired = options.durability?.replicas
  }

  /**
   * On a Redis Cluster, a code saved with an idempotent answer must share its record's hash slot:
   * its id must start with the record id's two characters ({@link slotTag}); elsewhere any id will do.
   */
  acceptsCodeId(id: string, keyId: string): boolean {
    return !this.#cluster || slotTag(id) === slotTag(keyId)
  }

  async save(id: string, code: StoredCode, idempotency?: IdempotentAnswer): Promise<boolean> {
    if (idempotency && !this.acceptsCodeId(id, idempotency.keyId)) {
      throw new TypeError('RedisStore: save a code with an answer only under an id acceptsCodeId() accepts')
    }
    const { saved, replaced } = await saveCode(this.#send, this.#keys, this.#cluster, id, code, idempotency)
    if (!saved) return false
    // One live passcode per (client, user): the one before stops working, for good (durably, as a revocation).
    const old = replaced === undefined ? undefined : this.#keys.passcode(replaced)
    if (old !== undefined) await this.#run({ key: old, isReadOnly: false, command: ['DEL', old] })
    await this.#durableAll([...(idempotency ? [this.#keys.code(id)] : []), ...(old === undefined ? [] : [old])])
    return true
  }

  async consume(id: string): Promise<ConsumeResult> {
    const key = this.#keys.code(id)
    const reply = await orUnavailable(CONSUME.run(this.#send, [key, this.#keys.passcode(id)], []))
    if (typeof reply !== 'string') return { status: 'missing' }
    if (!reply.startsWith('L')) return { status: 'reused', value: reply.slice(1) }
    await this.#durable(key)
    return { status: 'consumed', value: reply.slice(1) }
  }

  async peek(id: string): Promise<PeekResult> {
    const key = this.#keys.code(id)
    const reply = await this.#run({ key, isReadOnly: true, command: ['GET', key] })
    if (typeof reply !== 'string') return { status: 'missing' }
    return reply.startsWith('L') ? { status: 'live', value: reply.slice(1) } : { status: 'consumed' }
  }

  async delete(id: string): Promise<void> {
    const [code, passcode] = [this.#keys.code(id), this.#keys.passcode(id)]
    await this.#run({ key: code, isReadOnly: false, command: ['DEL', code, passcode] })
  }

  async claimOnce(id: string, ttlMs: number): Promise<boolean> {
    const key = this.#keys.once(id)
    const reply = await this.#run({ key, isReadOnly: false, command: ['SET', key, '1', 'PX', String(Math.max(1, Math.ceil(ttlMs))), 'NX'] })
    if (reply !== 'OK') return false
    await this.#durable(key)
    return true
  }

  async claimIdempotencyKey(keyId: string, fingerprint: string, owner: string, lockMs: number): Promise<IdempotencyClaim> {
    const reply = await orUnavailable(CLAIM.run(this.#send, [this.#keys.idempotency(keyId)], [fingerprint, owner, String(lockMs)]))
    if (typeof reply !== 'string') return { status: 'claimed' }
    const space = reply.indexOf(' ')
    if (reply.startsWith('D')) return { status: 'done', fingerprint: reply.slice(1, space), answer: reply.slice(space + 1) }
    return { status: 'in-flight', fingerprint: reply.slice(space + 1) }
  }

  async releaseIdempotencyKey(keyId: string, owner: string): Promise<void> {
    // By source: a release often follows a claim whose answer a store failure lost, and must run behind it when Redis wakes.
    await orUnavailable(RELEASE.runBySource(this.#send, [this.#keys.idempotency(keyId)], [owner]))
  }

  async consumePasscode(group: string, attempt: PasscodeAttempt): Promise<PasscodeResult> {
    return consumePasscodeOnRedis(this.#send, this.#keys, this.#durable, group, attempt)
  }

  revoke(group: string, options: { clientId?: string; except?: string } = {}): Promise<number> {
    return revokeOnRedis(this.#send, this.#keys, this.#durableAll, group, options)
  }

  rateLimitStore(prefix: string): RateLimitStore {
    return new RedisRateLimitStore(this.prefix + prefix, this.#send)
  }

  refreshTokenStore(): RefreshTokenStore {
    return (this.#refresh ??= new RedisRefreshStore(this.#send, this.prefix, this.#durable, this.#durableAll))
  }

  clientStore(): ClientRecordStore {
    return (this.#clients ??= redisClientStore(this.#send, this.#keys))
  }

  pushedRequestStore(): PushedRequestStore {
    return redisPushedRequests(this.#send, this.#keys, this.#durable)
  }

  approvalStore(): ApprovalStore {
    return redisApprovals(this.#send, this.#keys, this.#durable)
  }

  /** `PING`, `INFO memory` and `INFO replication`: reachability, latency, eviction policy and replicas. Never rejects. */
  health(): Promise<StoreHealth> {
    return redisHealth(this.#send, this.#replicasRequired)
  }

  /** Calls `listener` whenever the client is ready again after a reconnect (`ready`; `node-ready` on a cluster). */
  onReconnect(listener: () => void): void {
    this.#reconnectListeners.add(listener)
    onRedisReady(this.#client, listener)
  }

  #run(command: Parameters<SendRedisCommand>[0]): Promise<unknown> {
    return orUnavailable(this.#send(command))
  }
}
