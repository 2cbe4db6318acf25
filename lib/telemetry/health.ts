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

/**
 * Checks the store's eviction policy now, without blocking the caller, and again whenever the
 * store reconnects. A policy the store reports as its `evicting-policy` problem is logged as an
 * error with that problem's fix and reason, once per change of policy: a policy that was logged
 * is not logged again until another one was seen. An unknown policy (unreachable store, `INFO`
 * refused) changes nothing. Never throws.
 */
export function watchEvictionPolicy(store: CodeStore, logger: AuthcodeLogger): void {
  const { health } = store
  if (health === undefined) return
  let last: string | undefined
  const check = () => {
    health
      .call(store)
      .then(({ evictionPolicy, problems }) => {
        if (evictionPolicy === undefined || evictionPolicy === last) return
        last = evictionPolicy
        const evicting = problems?.find((problem) => problem.code === 'evicting-policy')
        if (evicting === undefined) return
        logger.error(
          { evictionPolicy, fix: evicting.fix, why: evicting.reason },
          'express-authcode: Redis may evict keys; set maxmemory-policy to noeviction',
        )
      })
      .catch(() => undefined)
  }
  check()
  store.onReconnect?.(check)
}
