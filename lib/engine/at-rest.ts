import { createHmac, hash } from 'node:crypto'

/**
 * How what the store keeps is made unreadable: ids and keys derived from secrets the store never
 * sees (each code, each Idempotency-Key), mixed with the host's `atRestKey` when given, so that a
 * dump of Redis alone opens nothing, even for a guessed Idempotency-Key or passcode.
 * @see https://www.rfc-editor.org/rfc/rfc2104
 */
export class AtRest {
  readonly #key: Buffer | undefined

  constructor(atRestKey?: Buffer) {
    this.#key = atRestKey
  }

  /** Whether a host key is mixed in. */
  get keyed(): boolean {
    return this.#key !== undefined
  }

  /**
   * A value that names a person, an address or a secret, as the store may keep it (a rate-limit
   * key, a group id, a signature claim): HMAC-SHA256 under `atRestKey`, else SHA-256, of the
   * value under its `label`; base64url.
   */
  digest(label: string, value: string): string {
    const text = `${label}\0${value}`
    return this.#key ? createHmac('sha256', this.#key).update(text).digest('base64url') : hash('sha256', text, 'base64url')
  }

  /** 32 bytes derived from `value` under `label`, keyed with `atRestKey` when given. */
  derive(label: string, value: string): Buffer {
    const text = `${label}\0${value}`
    return this.#key ? createHmac('sha256', this.#key).update(text).digest() : hash('sha256', text, 'buffer')
  }

  /** The id a code is stored under: SHA-256 of the code, or with `atRestKey` an HMAC of it. */
  codeId(code: string): string {
    return this.#key ? createHmac('sha256', this.#key).update(code).digest('base64url') : hash('sha256', code, 'base64url')
  }

  /**
   * The 256-bit key that seals the record of `code`: derived from the code itself (256 random
   * bits, so one hash is a sound extraction), and from `atRestKey` when given.
   */
  recordKey(code: string): Buffer {
    const text = `express-authcode record\0${code}`
    return this.#key ? createHmac('sha256', this.#key).update(text).digest() : hash('sha256', text, 'buffer')
  }

  /** Input keying material for an Idempotency-Key's derivations: the raw key, with `atRestKey` mixed in when given. */
  idempotencyMaterial(rawKey: string): Buffer {
    return this.#key ? createHmac('sha256', this.#key).update(`express-authcode idempotency\0${rawKey}`).digest() : Buffer.from(rawKey)
  }
}
