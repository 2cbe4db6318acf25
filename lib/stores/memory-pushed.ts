import type { PushedRequestStore } from '../../types/store.js'

/** Pushed requests of a {@link MemoryStore}, each until its expiry on the store's clock. */
export class MemoryPushedRequests implements PushedRequestStore {
  readonly #requests = new Map<string, { value: string; expiresAt: number; opened: boolean }>()

  constructor(private readonly now: () => number) {}

  async save(id: string, value: string, ttlMs: number): Promise<void> {
    this.#requests.set(id, { value, expiresAt: this.now() + ttlMs, opened: false })
  }

  async open(id: string, holdMs: number): Promise<string | undefined> {
    const request = this.#live(id)
    if (request && !request.opened) Object.assign(request, { opened: true, expiresAt: this.now() + holdMs })
    return request?.value
  }

  async spend(id: string): Promise<boolean> {
    return this.#live(id) !== undefined && this.#requests.delete(id)
  }

  /** Drops every request expired at `now`. */
  sweep(now: number): void {
    for (const [id, request] of this.#requests) if (request.expiresAt <= now) this.#requests.delete(id)
  }

  #live(id: string) {
    const request = this.#requests.get(id)
    return request !== undefined && request.expiresAt > this.now() ? request : undefined
  }
}
