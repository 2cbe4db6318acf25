import type { ClientRecordStore } from '../../types/store.js'

/** Client records of a {@link MemoryStore}, each until its expiry on the store's clock. */
export class MemoryClientStore implements ClientRecordStore {
  readonly #records = new Map<string, { value: string; expiresAt: number }>()

  constructor(private readonly now: () => number) {}

  async add(id: string, value: string, ttlMs: number): Promise<boolean> {
    if ((await this.get(id)) !== undefined) return false
    await this.put(id, value, ttlMs)
    return true
  }

  async put(id: string, value: string, ttlMs: number): Promise<void> {
    this.#records.set(id, { value, expiresAt: this.now() + ttlMs })
  }

  async get(id: string): Promise<string | undefined> {
    const record = this.#records.get(id)
    return record !== undefined && record.expiresAt > this.now() ? record.value : undefined
  }

  /** Drops every record expired at `now`. */
  sweep(now: number): void {
    for (const [id, record] of this.#records) if (record.expiresAt <= now) this.#records.delete(id)
  }
}
