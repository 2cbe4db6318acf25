import { MemoryStore as RateLimitMemoryStore, type Store as RateLimitStore } from 'express-rate-limit'
import type { StoreHealth } from '../../types/health.js'
import type {
  ApprovalStore,
  CodeStore,
  ConsumeResult,
  IdempotencyClaim,
  IdempotentAnswer,
  PasscodeAttempt,
  PasscodeResult,
  PeekResult,
  StoredCode,
} from '../../types/store.js'
import { DEFAULTS } from '../defaults.js'
import { burn, live, sameMac, type Entry, type FailureCount, type IdempotencyEntry, type PasscodePointer } from './memory-entries.js'
import { MemorySideStores } from './memory-side-stores.js'
import { MemoryApprovals } from './memory-approvals.js'

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Milliseconds between sweeps of expired entries. @default {@link DEFAULTS.sweepIntervalMs} (60000) */
  sweepIntervalMs?: number
  /**
   * The clock every expiry decision reads (codes, reuse markers, claims, idempotency records,
   * active-code groups, passcode failure windows, refresh tokens and the sweep), in milliseconds
   * since the epoch. Pass your own to let time pass without waiting, as a test does. Rate-limit
   * windows (`rateLimitStore()`) keep real time.
   * @default Date.now
   */
  now?: () => number
}

/**
 * Codes in this process's memory, with the same semantics as {@link RedisStore}: for development, tests
 * and single-process apps. Expired entries are swept on a timer that does not keep the process alive.
 */
export class MemoryStore extends MemorySideStores implements CodeStore {
  readonly #entries = new Map<string, Entry>()
  /** Claimed ids and when each claim lapses. */
  readonly #claims = new Map<string, number>()
  readonly #idempotency = new Map<string, IdempotencyEntry>()
  readonly #passcodes = new Map<string, PasscodePointer>()
  /** Wrong passcodes charged to each (client, user) group in its window. */
  readonly #failures = new Map<string, FailureCount>()
  readonly #sweeper: NodeJS.Timeout
  readonly #now: () => number
  readonly #approvals = new MemoryApprovals((id) => this.#live(id))

  constructor(options: MemoryStoreOptions = {}) {
    const now = options.now ?? Date.now
    super(now)
    this.#now = now
    this.#sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? DEFAULTS.sweepIntervalMs)
    this.#sweeper.unref()
  }

  /** Codes held now, expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size
  }

  async save(id: string, code: StoredCode, idempotency?: IdempotentAnswer): Promise<boolean> {
    const held = idempotency && live(this.#idempotency, idempotency.keyId, this.#now())
    if (this.#live(id) || (idempotency && held?.owner !== idempotency.owner)) return false
    const { value, expiresAt, owner, passcode } = code
    this.#entries.set(id, {
      consumed: false,
      value,
      expiresAt,
      ...(owner ? { owner } : {}),
      ...(passcode ? { passcode: { mac: passcode.mac, wrappedKey: passcode.wrappedKey, attemptsLeft: passcode.maxAttempts } } : {}),
    })
    if (passcode) {
      // One live passcode per (client, user): the one before stops working.
      const before = live(this.#passcodes, passcode.group, this.#now())
      if (before && before.id !== id) delete this.#entries.get(before.id)?.passcode
      this.#passcodes.set(passcode.group, { id, expiresAt, ...(passcode.binding === undefined ? {} : { binding: passcode.binding }) })
    }
    if (idempotency && held) {
      this.#idempotency.set(idempotency.keyId, {
        fingerprint: held.fingerprint,
        answer: idempotency.answer,
        expiresAt: this.#now() + idempotency.ttlSeconds * 1000,
      })
    }
    return true
  }

  async consume(id: string): Promise<ConsumeResult> {
    const entry = this.#live(id)
    if (!entry) return { status: 'missing' }
    if (entry.consumed) return { status: 'reused', value: entry.value }
    burn(entry)
    return { status: 'consumed', value: entry.value }
  }

  async peek(id: string): Promise<PeekResult> {
    const entry = this.#live(id)
    if (!entry) return { status: 'missing' }
    return entry.consumed ? { status: 'consumed' } : { status: 'live', value: entry.value }
  }

  async delete(id: string): Promise<void> {
    this.#entries.delete(id)
  }

  async claimOnce(id: string, ttlMs: number): Promise<boolean> {
    const now = this.#now()
    if ((this.#claims.get(id) ?? 0) > now) return false
    this.#claims.set(id, now + ttlMs)
    return true
  }

  async claimIdempotencyKey(keyId: string, fingerprint: string, owner: string, lockMs: number): Promise<IdempotencyClaim> {
    const now = this.#now()
    const entry = live(this.#idempotency, keyId, now)
    if (!entry) {
      this.#idempotency.set(keyId, { fingerprint, owner, expiresAt: now + lockMs })
      return { status: 'claimed' }
    }
    return entry.answer === undefined
      ? { status: 'in-flight', fingerprint: entry.fingerprint }
      : { status: 'done', fingerprint: entry.fingerprint, answer: entry.answer }
  }

  async releaseIdempotencyKey(keyId: string, owner: string): Promise<void> {
    if (live(this.#idempotency, keyId, this.#now())?.owner === owner) this.#idempotency.delete(keyId)
  }

  async consumePasscode(group: string, attempt: PasscodeAttempt): Promise<PasscodeResult> {
    const now = this.#now()
    const pointer = live(this.#passcodes, group, now)
    if (!pointer) return { status: 'missing' }
    if (pointer.binding !== undefined && pointer.binding !== attempt.binding) return { status: 'mismatch' }
    const entry = this.#live(pointer.id)
    const failures = live(this.#failures, group, now) ?? { count: 0, expiresAt: now + attempt.windowMs }
    if (failures.count >= attempt.maxFailures) return { status: 'locked' }
    failures.count++
    this.#failures.set(group, failures)
    if (!entry?.passcode || entry.consumed) return { status: 'missing' }
    const { passcode } = entry
    if (sameMac(attempt.macFor(pointer.id), passcode.mac)) {
      burn(entry)
      failures.count--
      return { status: 'consumed', id: pointer.id, value: entry.value, wrappedKey: passcode.wrappedKey }
    }
    passcode.attemptsLeft -= 1
    if (passcode.attemptsLeft > 0) return { status: 'wrong', attemptsLeft: passcode.attemptsLeft }
    burn(entry)
    return { status: 'burned', id: pointer.id }
  }

  async revoke(group: string, { clientId, except }: { clientId?: string; except?: string } = {}): Promise<number> {
    let revoked = 0
    for (const [id, entry] of this.#entries) {
      const mine = entry.owner?.group === group && (clientId === undefined || entry.owner.clientId === clientId)
      if (mine && id !== except && !entry.consumed && this.#live(id)) {
        this.#entries.delete(id)
        revoked++
      }
    }
    return revoked
  }

  approvalStore(): ApprovalStore {
    return this.#approvals
  }

  rateLimitStore(_prefix: string): RateLimitStore {
    return new RateLimitMemoryStore()
  }

  /** Always reachable, never evicting. */
  async health(): Promise<StoreHealth> {
    return { ok: true, latencyMs: 0 }
  }

  /** Drops every expired entry: expired at `now`, by default the store's clock. */
  sweep(now = this.#now()): void {
    for (const map of [this.#entries, this.#idempotency, this.#passcodes, this.#failures]) {
      for (const [id, entry] of map) if (entry.expiresAt <= now) map.delete(id)
    }
    for (const [id, lapsesAt] of this.#claims) if (lapsesAt <= now) this.#claims.delete(id)
    this.sweepSideStores(now)
  }

  /** Stops the sweep timer. */
  close(): void {
    clearInterval(this.#sweeper)
  }

  #live(id: string): Entry | undefined {
    return live(this.#entries, id, this.#now())
  }
}
