import { createHmac, hash, randomBytes } from 'node:crypto'
import { TAG_LENGTH } from './codes.js'

/**
 * Bytes of a stored id or digest: 128 bits name a record without collisions for any number of
 * codes a deployment will ever issue, and keep every Redis key short.
 */
const ID_BYTES = 16

/**
 * How what the store keeps is made unreadable: ids and keys derived from secrets the store never
 * sees (each code, each Idempotency-Key), mixed with the host's `atRestKey` when given, so that a
 * dump of Redis alone opens nothing, even for a guessed Idempotency-Key or passcode.
 * @see https://www.rfc-editor.org/rfc/rfc2104
 */
export class AtRest {
  readonly #key: Buffer | undefined
  /** The key of {@link AtRest.serverMac}: from `atRestKey`, shared by every process; without it, this process's own. */
  readonly #macKey: Buffer

  constructor(atRestKey?: Buffer) {
    this.#key = atRestKey
    this.#macKey = atRestKey ? createHmac('sha256', atRestKey).update('express-authcode server mac').digest() : randomBytes(32)
  }

  /** Whether a host key is mixed in. */
  get keyed(): boolean {
    return this.#key !== undefined
  }

  /**
   * A value that names a person, an address or a secret, as the store may keep it (a rate-limit
   * key, a group id, a signature claim, a passcode's HMAC): the first 128 bits of HMAC-SHA256
   * under `atRestKey`, else of SHA-256, of the value under its `label`; base64url (22 characters).
   */
  digest(label: string, value: string): string {
    return this.#sha256(`${label}\0${value}`).subarray(0, ID_BYTES).toString('base64url')
  }

  /** 32 bytes derived from `value` under `label`, keyed with `atRestKey` when given. */
  derive(label: string, value: string): Buffer {
    return this.#sha256(`${label}\0${value}`)
  }

  /**
   * The id a code is stored under: the code's first two characters (its Redis Cluster hash tag,
   * chosen for its slot, never secret: SPEC §4), then the first 128 bits of SHA-256 of the whole
   * code, or with `atRestKey` of an HMAC of it; 24 characters. Codes of 0.x were stored under the
   * hash alone, so none of them is found under this id.
   */
  codeId(code: string): string {
    return code.slice(0, TAG_LENGTH) + this.#sha256(code).subarray(0, ID_BYTES).toString('base64url')
  }

  /**
   * The 256-bit key that seals the record of `code`: derived from the code itself (256 random
   * bits, so one hash is a sound extraction), and from `atRestKey` when given.
   */
  recordKey(code: string): Buffer {
    return this.#sha256(`express-authcode record\0${code}`)
  }

  /**
   * 64 bytes derived from an Idempotency-Key and the client that sent it: SHA-512 of both under
   * a label, or with `atRestKey` an HMAC-SHA512. The key is a random UUID (122 bits), so one hash
   * is a sound extraction; the caller splits the output into independent keys.
   */
  idempotencyKeys(clientId: string, rawKey: string): Buffer {
    const text = `express-authcode idempotency\0${clientId}\0${rawKey}`
    return this.#key ? createHmac('sha512', this.#key).update(text).digest() : hash('sha512', text, 'buffer')
  }

  /**
   * A MAC under a server key the browser never sees (HMAC-SHA256, base64url, 43 characters), of
   * `value` under `label`: what the router's own cookies carry, so that a cookie planted by a
   * sibling domain or edited by the user is refused. The key derives from `atRestKey`; without
   * one it is random to this process, and a cookie MACed by another process is refused.
   */
  serverMac(label: string, value: string): string {
    return createHmac('sha256', this.#macKey).update(`${label}\0${value}`).digest('base64url')
  }

  #sha256(text: string): Buffer {
    return this.#key ? createHmac('sha256', this.#key).update(text).digest() : hash('sha256', text, 'buffer')
  }
}
