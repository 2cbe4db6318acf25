/**
 * Why a store that answers is still unsafe for single use, and what the host does about it.
 * `code` is stable, to switch on; `reason` and `fix` are for people.
 */
export interface StoreProblem {
  /**
   * `evicting-policy`: Redis may drop keys before their TTL (`maxmemory-policy` other than
   * `noeviction`). `too-few-replicas`: fewer replicas are connected than `durability` waits for,
   * so every write it guards answers 503.
   */
  code: 'evicting-policy' | 'too-few-replicas'
  /** What is wrong and what it breaks. */
  reason: string
  /** What fixes it, e.g. `CONFIG SET maxmemory-policy noeviction`. */
  fix: string
}

/**
 * What a store says about itself: whether it answers, how fast, and whether it may forget what
 * single use depends on.
 */
export interface StoreHealth {
  /** The store answers and has no {@link StoreProblem}. */
  ok: boolean
  /** Milliseconds of one round trip (Redis `PING`); for an unreachable store, how long it took to fail. */
  latencyMs: number
  /**
   * Redis `maxmemory-policy`, from `INFO memory`; anything but `noeviction` may forget consumed
   * markers, signature claims and idempotency records. Absent when unknown (e.g. `INFO` refused).
   */
  evictionPolicy?: string
  /** Replicas connected to the Redis primary (`INFO replication`, `connected_slaves`), when known. */
  replicas?: number
  /** Replicas `durability` waits for; absent without `durability`. */
  replicasRequired?: number
  /** Why a store that answers is not ok, each with its fix; absent when there is none. */
  problems?: StoreProblem[]
}

/** What `auth.health()` resolves, for a readiness probe. */
export interface AuthcodeHealth {
  /** The router can issue and redeem codes safely: its store is ok. */
  ok: boolean
  store: StoreHealth
}
