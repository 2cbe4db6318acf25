import type { AuthcodeHealth, StoreHealth } from '../../types/health.js'
import type { AuthcodeLogger } from '../../types/options.js'
import type { CodeStore } from '../../types/store.js'

/**
 * The router's health for a readiness probe: its store's `health()`, or healthy for a store
 * that has none. Never rejects: a store whose check throws is reported unreachable.
 */
export async function routerHealth(store: CodeStore): Promise<AuthcodeHealth> {
  const started = performance.now()
  let health: StoreHealth
  try {
    health = store.health ? await store.health() : { ok: true, latencyMs: 0 }
  } catch {
    health = { ok: false, latencyMs: performance.now() - started }
  }
  return { ok: health.ok, store: health }
}

/** The fix an evicting Redis needs, as the log line names it. */
export const EVICTION_FIX = 'CONFIG SET maxmemory-policy noeviction'

/**
 * Checks the store's eviction policy now, without blocking the caller, and again whenever the
 * store reconnects. A policy other than `noeviction` is logged as an error naming the fix, once
 * per change of policy: a policy that was logged is not logged again until another one was
 * seen. An unknown policy (unreachable store, `INFO` refused) changes nothing. Never throws.
 */
export function watchEvictionPolicy(store: CodeStore, logger: AuthcodeLogger): void {
  const { health } = store
  if (health === undefined) return
  let last: string | undefined
  const check = () => {
    health
      .call(store)
      .then(({ evictionPolicy }) => {
        if (evictionPolicy === undefined || evictionPolicy === last) return
        last = evictionPolicy
        if (evictionPolicy === 'noeviction') return
        logger.error(
          {
            evictionPolicy,
            fix: EVICTION_FIX,
            why: 'an evicting Redis forgets consumed markers, signature claims and idempotency records, so a used code or a signed request could be accepted again',
          },
          'express-authcode: Redis may evict keys; set maxmemory-policy to noeviction',
        )
      })
      .catch(() => undefined)
  }
  check()
  store.onReconnect?.(check)
}
