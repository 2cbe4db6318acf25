import { MemoryStore as RateLimitMemoryStore, type Store as RateLimitStore } from 'express-rate-limit'
import type { CodeRecord, CodeStore, ConsumeResult } from '../../types/store.js'

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Milliseconds between sweeps of expired entries. @default 60000 */
  sweepIntervalMs?: number
}

interface Entry {
  consumed: boolean
  /** Kept serialised, as Redis would, so callers never share a mutable record. */
  json: string
  expiresAt: number
}

/**
 * Codes in this process's memory, with the same semantics as {@link RedisStore}: for
 * development, tests and single-process apps. Expired entries are swept on a timer that
 * does not keep the process alive; `close()` stops it.
 */
export class MemoryStore implements CodeStore {
  readonly #entries = new Map<string, Entry>()
  /** Claimed ids and when each claim lapses. */
  readonly #claims = new Map<string, number>()
  readonly #sweeper: NodeJS.Timeout

  constructor(options: MemoryStoreOptions = {}) {
    this.#sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000)
    this.#sweeper.unref()
  }

  /** Entries held now, expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size
  }

  async save(id: string, record: CodeRecord): Promise<void> {
    if (this.#live(id)) return
    this.#entries.set(id, { consumed: false, json: JSON.stringify(record), expiresAt: record.expiresAt })
  }

  async consume(id: string): Promise<ConsumeResult> {
    const entry = this.#live(id)
    if (!entry) return { status: 'missing' }
    const record = JSON.parse(entry.json) as CodeRecord
    if (entry.consumed) return { status: 'reused', record }
    entry.consumed = true
    return { status: 'consumed', record }
  }

  async delete(id: string): Promise<void> {
    this.#entries.delete(id)
  }

  async claimOnce(id: string, ttlMs: number): Promise<boolean> {
    const now = Date.now()
    if ((this.#claims.get(id) ?? 0) > now) return false
    this.#claims.set(id, now + ttlMs)
    return true
  }

  rateLimitStore(_prefix: string): RateLimitStore {
    return new RateLimitMemoryStore()
  }

  /** Drops every expired entry. */
  sweep(now = Date.now()): void {
    for (const [id, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(id)
    for (const [id, lapsesAt] of this.#claims) if (lapsesAt <= now) this.#claims.delete(id)
  }

  /** Stops the sweep timer. */
  close(): void {
    clearInterval(this.#sweeper)
  }

  #live(id: string): Entry | undefined {
    const entry = this.#entries.get(id)
    if (entry && entry.expiresAt <= Date.now()) {
      this.#entries.delete(id)
      return undefined
    }
    return entry
  }
}
