import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomUUID } from 'node:crypto'
import type { CodeStore } from '../../types/store.js'
import { DEFAULTS } from '../defaults.js'
import { ProblemError, type ProblemSlug } from '../errors/problems.js'
import { random } from './codes.js'

/** An answer as stored under an Idempotency-Key and replayed for it. */
export interface StoredAnswer {
  status: number
  body: unknown
}

/** What a request holding a fresh key, or repeating a finished one, goes on with. */
export type ClaimOutcome = { kind: 'fresh'; owner: string } | { kind: 'replay'; answer: StoredAnswer }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const SEAL = 'aes-256-gcm'

const problem = (slug: ProblemSlug, detail: string, headers?: Record<string, string>) =>
  new ProblemError(slug, { detail, ...(headers ? { headers } : {}) })

/**
 * An `Idempotency-Key` bound to the client that sent it. Redis sees only values derived from
 * it with HKDF (salted with the client id): the record id, an HMAC fingerprint of the payload
 * and the answer sealed with AES-256-GCM. Without the raw key a dump can neither find the
 * record of a key nor read or forge its answer.
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 */
export class IdempotencyKey {
  /** Id of the key's record in the store. */
  readonly id: string
  readonly #sealKey: Buffer
  readonly #macKey: Buffer

  constructor(clientId: string, raw: string) {
    // One HKDF output split three ways: as independent as three derivations, at a third of the cost.
    const keys = Buffer.from(hkdfSync('sha256', raw, clientId, 'express-authcode idempotency id|answer|fingerprint', 96))
    this.id = keys.subarray(0, 32).toString('base64url')
    this.#sealKey = keys.subarray(32, 64)
    this.#macKey = keys.subarray(64, 96)
  }

  /**
   * Reads the header: a UUID, bare or as a quoted sf-string; the same UUID in any case or
   * form is one key.
   * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpapi-idempotency-key-header#section-2
   */
  static fromHeader(clientId: string, header: string | undefined): IdempotencyKey {
    if (header === undefined || header.trim() === '') {
      throw problem(
        'idempotency-key-missing',
        'Send an Idempotency-Key header with a fresh UUID for every new request, and the same one when you retry it.',
      )
    }
    const value = header.trim()
    const raw = value.length > 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
    if (!UUID.test(raw))
      throw problem('idempotency-key-invalid', 'The Idempotency-Key must be a UUID, e.g. "8e03978e-40d5-43e8-bc93-6894a57f9324".')
    return new IdempotencyKey(clientId, raw.toLowerCase())
  }

  /** HMAC of the payload in a canonical JSON form (object keys sorted), so key order and spacing do not matter. */
  fingerprint(payload: unknown): string {
    return createHmac('sha256', this.#macKey).update(canonicalJson(payload)).digest('base64url')
  }

  /** Encrypts an answer, bound to this key's record id. */
  seal(answer: StoredAnswer): string {
    const iv = random(12)
    const cipher = createCipheriv(SEAL, this.#sealKey, iv).setAAD(Buffer.from(this.id))
    const sealed = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()])
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')
  }

  /** Decrypts what {@link seal} produced. @throws Error if it was altered. */
  open(sealed: string): StoredAnswer {
    const bytes = Buffer.from(sealed, 'base64url')
    const decipher = createDecipheriv(SEAL, this.#sealKey, bytes.subarray(0, 12)).setAAD(Buffer.from(this.id))
    decipher.setAuthTag(bytes.subarray(12, 28))
    return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')) as StoredAnswer
  }
}

/**
 * One atomic store step: takes the key, or finds the answer to replay. A finished key with
 * another payload is 422, a key whose request still runs is 409 with `Retry-After`.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpapi-idempotency-key-header#section-2.7
 */
export async function claimIdempotencyKey(store: CodeStore, key: IdempotencyKey, fingerprint: string): Promise<ClaimOutcome> {
  const owner = randomUUID()
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
