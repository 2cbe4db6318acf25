import type { Store as RateLimitStore } from 'express-rate-limit'
import type { StoreHealth } from './health.js'
import type { RefreshTokenStore } from './refresh.js'

/**
 * What a store keeps for one code, under the code's id (a hash of the code, never the code):
 * the record sealed with a key only the code opens, opaque to the store, and when it must vanish.
 */
export interface StoredCode {
  /** The sealed record (text the store keeps as it is). */
  value: string
  /** Epoch milliseconds; the store forgets the code (and its consumed marker) then. */
  expiresAt: number
  /** Whose code it is, so that {@link CodeStore.revoke} finds it: a magic-link code's user and client. */
  owner?: CodeOwner
  /** A one-time passcode for the same grant: consuming either consumes both. */
  passcode?: StoredPasscode
}

/** The user (hashed) and the client of a code, for revocation. */
export interface CodeOwner {
  /** A hash of the user id: the group {@link CodeStore.revoke} empties. */
  group: string
  clientId: string
}

/** A one-time passcode as a store keeps it: never the passcode itself. */
export interface StoredPasscode {
  /** A hash of (client, user): one live passcode each; a new one replaces the old. */
  group: string
  /** An HMAC of the passcode, keyed for this grant (and with `atRestKey`). */
  mac: string
  /** The key that opens the code's record, sealed under a key derived from the passcode. */
  wrappedKey: string
  /** Wrong passcodes allowed before the grant burns. */
  maxAttempts: number
  /**
   * For a code issued with a `code_challenge` (same-browser binding), a digest of that challenge
   * (keyed per group): a presentation whose {@link PasscodeAttempt.binding} differs is refused
   * before anything is counted or spent. Absent for an unbound code.
   */
  binding?: string
}

/** A passcode as presented to {@link CodeStore.consumePasscode}: never the passcode itself. */
export interface PasscodeAttempt {
  /** The HMAC the presented passcode has for the code `id` it would belong to. */
  macFor(id: string): string
  /**
   * The digest of the challenge of the presenting browser's verifier, made as
   * {@link StoredPasscode.binding} is; `''` when the browser presented none (which a bound
   * passcode refuses).
   */
  binding: string
  /** Wrong passcodes the group may be charged per window, across all its grants. */
  maxFailures: number
  /** Milliseconds of that window, from the first failure it counts. */
  windowMs: number
}

/** Result of presenting a passcode to {@link CodeStore.consumePasscode}. */
export type PasscodeResult =
  /** Right: the code and its passcode are consumed, together. */
  | { status: 'consumed'; id: string; value: string; wrappedKey: string }
  /** Wrong; `attemptsLeft` more may be tried on this grant (the group's budget permitting). */
  | { status: 'wrong'; attemptsLeft: number }
  /** Wrong for the last allowed time: the grant is burned (its code consumed too). */
  | { status: 'burned'; id: string }
  /** The group spent its budget of failures for the window: refused unread, its live passcode left alone (its link still works). */
  | { status: 'locked' }
  /** A bound passcode presented without its browser's binding: refused, nothing counted or spent. */
  | { status: 'mismatch' }
  /** No live passcode for the group. */
  | { status: 'missing' }

/** Result of the one atomic consume operation. */
export type ConsumeResult =
  /** The code was live and this call consumed it. */
  | { status: 'consumed'; value: string }
  /** The code had been consumed before: a replay. */
  | { status: 'reused'; value: string }
  /** No such code, or it expired. */
  | { status: 'missing' }

/** What {@link CodeStore.peek} sees of a code, consuming nothing. */
export type PeekResult =
  /** Live: not consumed, not expired. */
  | { status: 'live'; value: string }
  /** Consumed before (its marker lives until the code's expiry). */
  | { status: 'consumed' }
  /** No such code, or it expired. */
  | { status: 'missing' }

/** What an idempotency record holds when a request asks to claim its key. */
export type IdempotencyClaim =
  /** No record: this caller now holds the key until it saves an answer or releases it. */
  | { status: 'claimed' }
  /** Another request holds the key and has not answered yet. */
  | { status: 'in-flight'; fingerprint: string }
  /** The key's request finished; `answer` is what it stored (sealed by the caller). */
  | { status: 'done'; fingerprint: string; answer: string }

/** The answer to store with a code, in the same atomic step, under a claimed idempotency key. */
export interface IdempotentAnswer {
  /** Id of the idempotency record; the code's id is one the store {@link CodeStore.acceptsCodeId | accepts} for it. */
  keyId: string
  /** The token given to `claimIdempotencyKey`; the answer is stored only while it still holds the key. */
  owner: string
  /** The sealed answer (opaque to the store). */
  answer: string
  /** Seconds the record is kept from now. */
  ttlSeconds: number
}

/**
 * Storage for codes. Every method takes the code's id (a hash of it, base64url), never the code.
 *
 * Implementations must make {@link CodeStore.consume} atomic: of any number of concurrent
 * calls for one id, from any number of processes, exactly one sees `consumed`.
 */
export interface CodeStore {
  /**
   * Whether a code whose id is `id` can be saved together with the idempotency record `keyId`
   * in one atomic step (e.g. both keys in one Redis Cluster hash slot). A code's id starts with
   * the code's first two characters; an issuer whose code is refused chooses those two to be
   * the first two of `keyId` and keeps the rest, so a store must accept an id that starts as
   * `keyId` does. A store that can write any two keys together leaves it out.
   */
  acceptsCodeId?(id: string, keyId: string): boolean
  /**
   * Saves a new code; it must vanish at `code.expiresAt`. With `idempotency`, the answer is
   * stored in the same atomic step, and nothing is saved unless `owner` still holds the key.
   * A code with a passcode makes it the live one of its group: the one before stops working,
   * durably, before this resolves. Resolves `false` when nothing was saved (the id exists, or
   * the key was lost).
   */
  save(id: string, code: StoredCode, idempotency?: IdempotentAnswer): Promise<boolean>
  /** Atomically marks a live code consumed and returns its value; the marker lives until the original expiry. */
  consume(id: string): Promise<ConsumeResult>
  /**
   * Reads a code without consuming it (a landing page choosing what to show). Never a step of
   * redemption: only {@link CodeStore.consume} decides who redeems.
   */
  peek(id: string): Promise<PeekResult>
  /** Forgets a record, consumed or not. */
  delete(id: string): Promise<void>
  /**
   * Records `id` for `ttlMs` milliseconds if it is not recorded yet, in one atomic step: of
   * any number of concurrent calls for one id, exactly one resolves `true` until the TTL
   * passes. Used to accept a signed request only once; `id` is a hash, never the signature.
   */
  claimOnce(id: string, ttlMs: number): Promise<boolean>
  /**
   * Takes an idempotency key for `owner` for `lockMs` milliseconds, or reports the record
   * already there. Atomic: of concurrent claims of one key, exactly one sees `claimed`.
   */
  claimIdempotencyKey(keyId: string, fingerprint: string, owner: string, lockMs: number): Promise<IdempotencyClaim>
  /** Drops an idempotency key still held by `owner` (its request failed before answering). */
  releaseIdempotencyKey(keyId: string, owner: string): Promise<void>
  /**
   * Checks a passcode against the live passcode of `group`. In order:
   * - a bound passcode whose binding the attempt does not carry is `mismatch`: nothing counted or spent;
   * - every other attempt is charged one failure of the group's budget (`attempt.maxFailures`
   *   per `attempt.windowMs`, across grants: a new passcode does not reset it), atomically,
   *   before the passcode is read; past the budget it is `locked` until the window ends,
   *   refused unread (the live passcode and its code are left alone, so whoever spent the
   *   budget cannot also spend the user's link);
   * - right, it consumes the code and the passcode, and gives the failure back; wrong, it also
   *   counts one attempt of the grant, and the last allowed one burns the grant.
   *
   * Of any number of concurrent presentations, from any number of processes, at most
   * `maxAttempts` wrong ones are evaluated per grant and at most `attempt.maxFailures` per
   * group and window. Every outcome but `consumed` takes the same store round trips, so that
   * neither the answer nor its timing tells whether the group has a passcode.
   */
  consumePasscode(group: string, attempt: PasscodeAttempt): Promise<PasscodeResult>
  /**
   * Deletes every live code (and its passcode) of an owner `group`, of one client or of all,
   * but `except`; consumed markers stay, so reuse is still detected. Resolves how many it
   * deleted, only once the deletions are durable (a Redis store with `durability` waits for its
   * replicas, else rejects): a failover must not bring a revoked code back.
   */
  revoke(group: string, options?: { clientId?: string; except?: string }): Promise<number>
  /**
   * A fresh express-rate-limit store whose keys start with `prefix`, kept where this store keeps
   * codes so that every process sharing the store shares the counts.
   */
  rateLimitStore(prefix: string): RateLimitStore
  /**
   * Where the store keeps refresh-token families, beside its codes (the same instance each
   * call). A store without it cannot serve the `refreshTokens` option.
   */
  refreshTokenStore?(): RefreshTokenStore
  /**
   * Where the store keeps clients that arrive at run time (registered through `POST /register`,
   * or cached metadata documents), beside its codes (the same instance each call). A store
   * without it cannot serve `dynamicRegistration` or `clientIdMetadataDocuments`.
   */
  clientStore?(): ClientRecordStore
  /**
   * Where the store keeps pushed authorization requests (`POST /par`), beside its codes (the same
   * instance each call). A store without it cannot serve `/par`.
   */
  pushedRequestStore?(): PushedRequestStore
  /**
   * Where the store keeps cross-device approvals of magic links (SPEC §3.5c), beside its codes and
   * atomic with them. A store without it cannot serve
   * `magicLinkLanding({ crossDevice: true })`.
   */
  approvalStore?(): ApprovalStore
  /**
   * Checks the store without changing it: reachability, round-trip latency and, for Redis, the
   * eviction policy and replica count. Resolves `ok: false` instead of rejecting. A store without
   * it is reported healthy.
   */
  health?(): Promise<StoreHealth>
  /**
   * Calls `listener` whenever the store's connection is ready again after a reconnect (node-redis
   * `ready`), so the router checks the eviction policy again. The store holds `listener` for as
   * long as the store lives.
   */
  onReconnect?(listener: () => void): void
}

/**
 * Records of clients that arrive at run time, as text the store keeps as it is, each for a
 * time. Every process sharing the store sees the same records.
 */
export interface ClientRecordStore {
  /** Keeps `value` under `id` for `ttlMs` unless a record is there already: resolves `false` then, writing nothing. */
  add(id: string, value: string, ttlMs: number): Promise<boolean>
  /** Keeps `value` under `id` for `ttlMs`, replacing what was there. */
  put(id: string, value: string, ttlMs: number): Promise<void>
  /** The record under `id`, or `undefined` when there is none or it expired. */
  get(id: string): Promise<string | undefined>
}

/**
 * Pushed authorization requests (RFC 9126), each under an id (a digest of its `request_uri`),
 * as text the store keeps as it is. Every process sharing the store sees the same requests.
 */
export interface PushedRequestStore {
  /** Keeps a new pushed request for `ttlMs`: the time it has to be used first. */
  save(id: string, value: string, ttlMs: number): Promise<void>
  /**
   * Reads a pushed request for `/authorize`. Its first read gives it `holdMs` from then (the
   * sign-in and consent round trips), once: later reads change nothing. `undefined` when it is
   * unknown, expired or spent.
   */
  open(id: string, holdMs: number): Promise<string | undefined>
  /**
   * Spends a pushed request, in one atomic step: of any number of concurrent calls, exactly one
   * resolves `true`. Resolves only once the spending is durable (`durability`).
   */
  spend(id: string): Promise<boolean>
}

/** A decision on a bound magic link opened on another device (SPEC §3.5c), as {@link ApprovalStore.decide} records it. */
export type ApprovalDecision =
  /** The right number: `value` (the code, sealed for the browser that asked; opaque to the store) is kept for that browser. */
  | { approve: true; value: string }
  /** A wrong number: the sign-in is cancelled, and the grant burns (its code consumed, its passcode gone). */
  | { approve: false }

/** What {@link ApprovalStore.decide} did. */
export type ApprovalOutcome =
  /** The code was live and undecided: this call decided. */
  | { status: 'decided' }
  /** Decided before (approved or not): the decision stands, nothing changed. */
  | { status: 'already'; approved: boolean }
  /** The code is not live (consumed, expired or unknown): nothing changed. */
  | { status: 'missing' }

/** Where a cross-device sign-in stands, read by {@link ApprovalStore.read}. */
export type ApprovalState =
  /** The code is live, and nobody decided yet. */
  | { status: 'pending' }
  /** Approved, and the code is still live: `value` is what the approval kept. */
  | { status: 'approved'; value: string }
  /** A wrong number cancelled it: the grant is burned. */
  | { status: 'cancelled' }
  /** The code is gone: redeemed, revoked, expired or unknown. */
  | { status: 'expired' }

/**
 * Cross-device approvals of magic links (SPEC §3.5c), each under its code's id, kept no longer than
 * the code (it dies with it). Every process sharing the store sees the same approvals.
 */
export interface ApprovalStore {
  /**
   * Records a decision on the live code `id`, once, in one atomic step with the code: of any
   * number of concurrent calls, from any number of processes, exactly one sees `decided`, and a
   * cancellation burns the code in the same step. Resolves `decided` only once the decision is
   * durable (`durability`).
   */
  decide(id: string, decision: ApprovalDecision): Promise<ApprovalOutcome>
  /** Where the sign-in of code `id` stands, changing nothing. */
  read(id: string): Promise<ApprovalState>
}
