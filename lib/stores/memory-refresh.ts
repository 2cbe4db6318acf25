import type { NewRefreshFamily, RefreshRotation, RefreshTokenState, RefreshTokenStore, RotationResult } from '../../types/refresh.js'
import type { CodeOwner } from '../../types/store.js'
import { live } from './memory-entries.js'

/** A refresh token in a {@link MemoryRefreshStore}. */
interface TokenEntry {
  /** The sealed record, as the engine handed it. */
  value: string
  expiresAt: number
  /** When it was rotated; absent while it is its family's live token. */
  rotatedAt?: number
}

/** A family: its live token, when it ends at the latest, and until when it lives (as long as its live token). */
interface FamilyEntry {
  live: string
  endsAt: number
  expiresAt: number
  owner: CodeOwner
}

/**
 * {@link RefreshTokenStore} in this process's memory, for a `MemoryStore`, with the semantics of
 * the Redis one: a rotation, a replay and a revocation each decided in one synchronous step, on
 * the clock `now` the `MemoryStore` reads.
 */
export class MemoryRefreshStore implements RefreshTokenStore {
  readonly #tokens = new Map<string, TokenEntry>()
  readonly #families = new Map<string, FamilyEntry>()
  readonly #now: () => number

  constructor(now: () => number) {
    this.#now = now
  }

  async mint({ familyId, tokenId, value, idleMs, maxLifetimeMs, owner }: NewRefreshFamily): Promise<void> {
    const now = this.#now()
    const expiresAt = now + Math.min(idleMs, maxLifetimeMs)
    this.#families.set(familyId, { live: tokenId, endsAt: now + maxLifetimeMs, expiresAt, owner })
    this.#tokens.set(tokenId, { value, expiresAt })
  }

  async read(tokenId: string): Promise<RefreshTokenState> {
    const token = live(this.#tokens, tokenId, this.#now())
    if (!token) return { status: 'missing' }
    return { status: token.rotatedAt === undefined ? 'live' : 'consumed', value: token.value }
  }

  async rotate({ familyId, tokenId, successor, idleMs, reuseIntervalMs }: RefreshRotation): Promise<RotationResult> {
    const now = this.#now()
    const token = live(this.#tokens, tokenId, now)
    if (!token) return { status: 'missing' }
    if (token.rotatedAt !== undefined) {
      if (reuseIntervalMs > 0 && now - token.rotatedAt < reuseIntervalMs) return { status: 'recent' }
      return { status: 'reused', revoked: this.#drop(familyId, now) }
    }
    const family = live(this.#families, familyId, now)
    const ttl = family ? Math.min(idleMs, family.endsAt - now) : 0
    if (!family || family.live !== tokenId || ttl < 1) {
      this.#tokens.delete(tokenId)
      return { status: 'revoked' }
    }
    if (!successor) return { status: 'missing' }
    token.rotatedAt = now
    this.#tokens.set(successor.id, { value: successor.value, expiresAt: now + ttl })
    family.live = successor.id
    family.expiresAt = now + ttl
    return { status: 'rotated' }
  }

  async revoke(familyId: string): Promise<boolean> {
    return this.#drop(familyId, this.#now())
  }

  async revokeOwner(group: string, { clientId }: { clientId?: string } = {}): Promise<number> {
    const now = this.#now()
    let revoked = 0
    for (const [familyId, { owner }] of this.#families) {
      if (owner.group === group && (clientId === undefined || owner.clientId === clientId) && this.#drop(familyId, now)) revoked++
    }
    return revoked
  }

  /** Drops every expired token and family. */
  sweep(now: number): void {
    for (const map of [this.#tokens, this.#families]) {
      for (const [id, entry] of map) if (entry.expiresAt <= now) map.delete(id)
    }
  }

  /** Revokes a family: whether it was live. */
  #drop(familyId: string, now: number): boolean {
    return live(this.#families, familyId, now) !== undefined && this.#families.delete(familyId)
  }
}
