import { randomBytes } from 'node:crypto'

/** A code: 43 base64url characters (see {@link drawCode}). */
const CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/
/** Characters of a code. */
export const CODE_LENGTH = 43
/**
 * Characters at the start of a code that name the Redis Cluster hash tag of its keys: its id
 * starts with them too (`AtRest.codeId`), 4,096 tags (SPEC §4).
 */
export const TAG_LENGTH = 2
const POOL_BYTES = 4096

let pool = Buffer.alloc(0)
let used = 0

/**
 * `size` bytes from the CSPRNG, cut from a pool filled 4 KiB at a time, as `randomUUID` does:
 * one call into OpenSSL per ~100 codes instead of one per code. Each byte is handed out once,
 * and a refill takes a new buffer, so bytes already handed out never change.
 */
export function random(size: number): Buffer {
  if (size > POOL_BYTES) return randomBytes(size)
  if (used + size > pool.length) {
    pool = randomBytes(POOL_BYTES)
    used = 0
  }
  used += size
  return pool.subarray(used - size, used)
}

/** A new code and its id: the hash under which a store keeps it. */
export interface DrawnCode {
  code: string
  id: string
}

/** Where an issuer saves a code together with another record (see `CodeStore.acceptsCodeId`). */
export interface Colocation {
  /** The first two characters of the record's id: a store that cannot save any two keys together accepts a code id that starts with them. */
  tag: string
  /** Whether the store can save a code under `id` together with the record. */
  accept: (id: string) => boolean
}

/**
 * A new code and its id (`idOf`, which starts with the code's first two characters): 43
 * base64url characters from the CSPRNG, 6 random bits each. With `colocate`, a code whose id the
 * store does not accept as drawn (on a Redis Cluster, 4,095 times in 4,096) takes the record's
 * tag as its first two characters and keeps the other 41 (246 random bits): one draw, never a
 * redraw. The id refused was never stored, so it reveals nothing.
 * @throws TypeError when the store accepts neither id (a `CodeStore.acceptsCodeId` that breaks its contract).
 */
export function drawCode(idOf: (code: string) => string, colocate?: Colocation): DrawnCode {
  // 33 bytes are 44 base64url characters with no padding bits: each character is uniform.
  const code = random(33).toString('base64url').slice(0, CODE_LENGTH)
  const id = idOf(code)
  if (colocate === undefined || colocate.accept(id)) return { code, id }
  const tagged = colocate.tag + code.slice(TAG_LENGTH)
  const taggedId = idOf(tagged)
  if (colocate.accept(taggedId)) return { code: tagged, id: taggedId }
  throw new TypeError(
    "the store accepts no code id that starts with its idempotency record id's first two characters (CodeStore.acceptsCodeId)",
  )
}

/** Whether a string has the shape of a code (checked before any store round trip). */
export function looksLikeCode(value: string): boolean {
  return CODE_PATTERN.test(value)
}
