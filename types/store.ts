import type { Store as RateLimitStore } from 'express-rate-limit'
import type { CodeKind } from './grant.js'

/** What a store keeps for one code, under the code's SHA-256 (never the code itself). */
export interface CodeRecord {
  kind: CodeKind
  subject: string
  clientId: string
  scope?: string
  redirectUri?: string
  /** PKCE S256 challenge the code is bound to. */
  codeChallenge?: string
  integrationContext?: Record<string, unknown>
  transactionState?: unknown
  /** Epoch milliseconds. */
  issuedAt: number
  /** Epoch milliseconds; the store forgets the record (and its consumed marker) then. */
  expiresAt: number
}

/** Result of the one atomic consume operation. */
export type ConsumeResult =
  /** The code was live and this call consumed it. */
  | { status: 'consumed'; record: CodeRecord }
  /** The code had been consumed before: a replay. */
  | { status: 'reused'; record: CodeRecord }
  /** No such code, or it expired. */
  | { status: 'missing' }

/**
 * Storage for codes. Every method takes the code's id (its SHA-256, base64url), never the code.
 *
 * Implementations must make {@link CodeStore.consume} atomic: of any number of concurrent
 * calls for one id, from any number of processes, exactly one sees `consumed`.
 */
export interface CodeStore {
  /** Saves a new record; it must vanish at `record.expiresAt`. */
  save(id: string, record: CodeRecord): Promise<void>
  /** Atomically marks a live record consumed and returns it; the marker lives until the original expiry. */
  consume(id: string): Promise<ConsumeResult>
  /** Forgets a record, consumed or not. */
  delete(id: string): Promise<void>
  /**
   * Records `id` for `ttlMs` milliseconds if it is not recorded yet, in one atomic step: of
   * any number of concurrent calls for one id, exactly one resolves `true` until the TTL
   * passes. Used to accept a signed request only once; `id` is a hash, never the signature.
   */
  claimOnce(id: string, ttlMs: number): Promise<boolean>
  /**
   * A fresh express-rate-limit store whose keys start with `prefix`, kept where this store keeps
   * codes so that every process sharing the store shares the counts.
   */
  rateLimitStore(prefix: string): RateLimitStore
}
