import type { RefreshTokenStore } from '../../types/refresh.js'
import type { ClientRecordStore, PushedRequestStore } from '../../types/store.js'
import { MemoryClientStore } from './memory-clients.js'
import { MemoryPushedRequests } from './memory-pushed.js'
import { MemoryRefreshStore } from './memory-refresh.js'

/**
 * The stores a {@link MemoryStore} hands out beside its codes (refresh-token families, run-time
 * clients, pushed requests), on one clock, swept with it.
 */
export abstract class MemorySideStores {
  readonly #refresh: MemoryRefreshStore
  readonly #clients: MemoryClientStore
  readonly #pushed: MemoryPushedRequests

  constructor(now: () => number) {
    this.#refresh = new MemoryRefreshStore(now)
    this.#clients = new MemoryClientStore(now)
    this.#pushed = new MemoryPushedRequests(now)
  }

  refreshTokenStore(): RefreshTokenStore {
    return this.#refresh
  }

  clientStore(): ClientRecordStore {
    return this.#clients
  }

  pushedRequestStore(): PushedRequestStore {
    return this.#pushed
  }

  /** Drops what expired at `now` in each of them. */
  protected sweepSideStores(now: number): void {
    for (const kept of [this.#refresh, this.#clients, this.#pushed]) kept.sweep(now)
  }
}
