import { createHmac } from 'node:crypto'
import type { CodeStore } from '../../types/store.js'
import { DEFAULTS } from '../defaults.js'
import { ProblemError, type ProblemSlug } from '../errors/problems.js'
import type { AtRest } from './at-rest.js'
import { ByteReader, ByteWriter } from './bytes.js'
import { CODE_LENGTH } from './codes.js'
import { open, seal } from './seal.js'

/**
 * What a finished request stored under its Idempotency-Key: the code it issued and when that
 * expires. The rest of the answer comes from the retried request itself, whose payload is the
 * same (its fingerprint matched).
 */
export interface StoredAnswer {
  code: string
  /** Epoch milliseconds. */
  expiresAt: number
  /** The passcode issued with the code, if any. */
  otp?: string
}

/** What a request holding a fresh key, or repeating a finished one, goes on with. */
export type ClaimOutcome = { kind: 'fresh'; owner: string } | { kind: 'replay'; answer: StoredAnswer }

/**
 * A random UUID: version 4 or 7 with the RFC 9562 variant. Nil, time-based (1, 6) and
 * name-based (3, 5) UUIDs are guessable, and a guessed key would let a dump of Redis replay an answer.
 * @see https://www.rfc-editor.org/rfc/rfc9562#section-5
 */
const RANDOM_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

const problem = (slug: ProblemSlug, detail: string, headers?: Record<string, string>) =>
  new ProblemError(slug, { detail, ...(headers ? { headers } : {}) })

/**
 * An `Idempotency-Key` bound to the client that sent it. Redis sees only values derived from
 * it and the client id (keyed with `atRestKey` when given): the record id (128 bits), an HMAC
 * fingerprint of the payload and the answer sealed with AES-256-GCM. Without the raw key a
 * dump can neither find the record of a key nor read or forge its answer.
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 */
export class IdempotencyKey {
  /** Id of the key's record in the store. */
  readonly id: string
  readonly #sealKey: Buffer
  readonly #macKey: Buffer

  constructor(atRest: AtRest, clientId: string, raw: string) {
    const keys = atRest.idempotencyKeys(clientId, raw)
    this.id = keys.subarray(0, 16).toString('base64url')
    this.#sealKey = keys.subarray(16, 48)
    this.#macKey = keys.subarray(48, 64)
  }

  /**
   * Reads the header: a random UUID (version 4 or 7), bare or as a quoted sf-string; the same
   * UUID in any case or form is one key.
   * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpapi-idempotency-key-header#section-2
   */
  static fromHeader(atRest: AtRest, clientId: string, header: string | undefined): IdempotencyKey {
    if (header === undefined || header.trim() === '') {
      throw problem(
        'idempotency-key-missing',
        'Send an Idempotency-Key header with a fresh UUID for every new request, and the same one when you retry it.',
      )
    }
    const value = header.trim()
    const raw = value.length > 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
    if (!RANDOM_UUID.test(raw)) {
      throw problem(
        'idempotency-key-invalid',
        'The Idempotency-Key must be a random UUID (version 4 or 7), e.g. "8e03978e-40d5-43e8-bc93-6894a57f9324"; nil, time- and name-based UUIDs can be guessed.',
      )
    }
    return new IdempotencyKey(atRest, clientId, raw.toLowerCase())
  }

  /** HMAC of the payload in a canonical JSON form (object keys sorted), so key order and spacing do not matter; 128 bits. */
  fingerprint(payload: unknown): string {
    return createHmac('sha256', this.#macKey).update(canonicalJson(payload)).digest().subarray(0, 16).toString('base64url')
  }

  /**
   * Encrypts an answer (the code's 43 characters, its expiry, and the passcode's digits), bound
   * to this key's record id. The code goes as its characters: its last one carries 6 random bits,
   * so it is not the base64url of 32 bytes.
   */
  seal(answer: StoredAnswer): string {
    const writer = new ByteWriter().raw(Buffer.from(answer.code, 'latin1')).uint48(answer.expiresAt)
    return seal(this.#sealKey, answer.otp === undefined ? writer.done() : writer.text(answer.otp).done(), this.id)
  }

  /** Decrypts what {@link seal} produced. @throws Error if it was altered. */
  open(sealed: string): StoredAnswer {
    const bytes = open(this.#sealKey, sealed, this.id)
    const reader = new ByteReader(bytes)
    const answer: StoredAnswer = { code: reader.raw(CODE_LENGTH).toString('latin1'), expiresAt: reader.uint48() }
    return bytes.length > CODE_LENGTH + 6 ? { ...answer, otp: reader.text() } : answer
  }
}

/**
 * One atomic store step: takes the key for `owner` (a random token the store knows the holder
 * by), or finds the answer to replay. A finished key with another payload is 422, a key whose
 * request still runs is 409 with `Retry-After`.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpapi-idempotency-key-header#section-2.7
 */
export async function claimIdempotencyKey(
  store: CodeStore,
  key: IdempotencyKey,
  fingerprint: string,
  owner: string,
): Promise<ClaimOutcome> {
  const found = await store.claimIdempotencyKey(key.id, fingerprint, owner, DEFAULTS.idempotencyLockMs)
  if (found.status === 'claimed') return { kind: 'fresh', owner }
  if (found.fingerprint !== fingerprint) {
    throw problem(
      'idempotency-key-reused',
      'This Idempotency-Key was already used with a different payload. Use a new key for a new request.',
    )
  }
  if (found.status === 'in-flight') throw idempotencyKeyInFlight()
  return { kind: 'replay', answer: key.open(found.answer) }
}

/** 409: the first request with this key has not answered yet. */
export function idempotencyKeyInFlight(): ProblemError {
  return problem('idempotency-key-in-flight', 'Retry after the first request has answered.', { 'Retry-After': '1' })
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}
