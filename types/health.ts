/**
 * What a store says about itself: whether it answers, how fast, and whether it may forget what
 * single use depends on.
 */
export interface StoreHealth {
  /** The store answers and does not evict keys. */
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
}

/** What `auth.health()` resolves, for a readiness probe. */
export interface AuthcodeHealth {
  /** The router can issue and redeem codes safely: its store is ok. */
  ok: boolean
  store: StoreHealth
}
