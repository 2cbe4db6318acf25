import type { CodeOwner } from './store.js'

/**
 * A new refresh-token family as {@link RefreshTokenStore.mint} saves it: its first token, never
 * the token itself but its id (a hash of it) and its record, sealed with a key only the token opens.
 */
export interface NewRefreshFamily {
  /** The family's id: its first two characters are the Redis Cluster hash tag every token of the family shares. */
  familyId: string
  /** The id of the family's first token (it starts with the same two characters). */
  tokenId: string
  /** The token's sealed record (text the store keeps as it is). */
  value: string
  /** Milliseconds a token of the family lives unused; each rotation starts them again. */
  idleMs: number
  /** Milliseconds the family lives at most, from now: no token of it outlives them. */
  maxLifetimeMs: number
  /** Whose family it is, so that {@link RefreshTokenStore.revokeOwner} finds it. */
  owner: CodeOwner
}

/** What {@link RefreshTokenStore.read} sees of a token, changing nothing. */
export type RefreshTokenState =
  /** The live (newest) token of its family. */
  | { status: 'live'; value: string }
  /** A token rotated before: its marker lives until the token itself would have expired. */
  | { status: 'consumed'; value: string }
  /** No such token, or it expired. */
  | { status: 'missing' }

/** One presentation of a refresh token to {@link RefreshTokenStore.rotate}. */
export interface RefreshRotation {
  familyId: string
  tokenId: string
  /**
   * The token that replaces it, sealed; left out when the token was read consumed (there is
   * nothing to hand out, only reuse to judge).
   */
  successor?: { id: string; value: string }
  /** Milliseconds the successor lives unused, capped at the family's end. */
  idleMs: number
  /** Milliseconds after its rotation within which a token presented again is refused without revoking its family. */
  reuseIntervalMs: number
}

/** What one {@link RefreshTokenStore.rotate} decided. */
export type RotationResult =
  /** The token was the family's live one: it is consumed and the successor is the live one now. */
  | { status: 'rotated' }
  /**
   * The token had been rotated more than `reuseIntervalMs` before: a replay. Its family is revoked,
   * newest token included; `revoked` says whether the family was still there to revoke.
   */
  | { status: 'reused'; revoked: boolean }
  /** The token was rotated within `reuseIntervalMs`: refused, its family left alone. */
  | { status: 'recent' }
  /** A live token whose family was revoked or has ended. */
  | { status: 'revoked' }
  /** No such token, or it expired. */
  | { status: 'missing' }

/**
 * Storage for refresh-token families (SPEC §3.4c): every token of a family in one hash slot with
 * the family, so that a rotation is one atomic step. Every method takes ids, never tokens.
 *
 * Implementations must make {@link RefreshTokenStore.rotate} atomic: of any number of concurrent
 * rotations of one token, from any number of processes, exactly one sees `rotated`.
 */
export interface RefreshTokenStore {
  /**
   * Saves a family and its first token: the token lives `min(idleMs, maxLifetimeMs)`, the family
   * as long as its live token. The family is filed under its owner (until its end) for
   * {@link RefreshTokenStore.revokeOwner}.
   */
  mint(family: NewRefreshFamily): Promise<void>
  /** Reads a token without changing anything: what a rotation or a revocation opens first. */
  read(tokenId: string): Promise<RefreshTokenState>
  /**
   * In one atomic step: a live token of a live family is consumed (its marker keeps the token's
   * own expiry) and `successor` becomes the family's live token, living `idleMs` capped at the
   * family's end, and so does the family; a token consumed more than `reuseIntervalMs` before
   * revokes its family. Resolves only once that is durable (a Redis store with `durability`
   * waits for its replicas, else rejects).
   */
  rotate(rotation: RefreshRotation): Promise<RotationResult>
  /** Revokes a family: none of its tokens works any more. Resolves whether it was there, once durable. */
  revoke(familyId: string): Promise<boolean>
  /** Revokes every family of an owner `group`, of one client or of all; resolves how many, once durable. */
  revokeOwner(group: string, options?: { clientId?: string }): Promise<number>
}
