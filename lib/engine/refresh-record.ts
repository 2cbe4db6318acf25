import type { AtRest } from './at-rest.js'
import { CODE_LENGTH, looksLikeCode, random, TAG_LENGTH } from './codes.js'
import { decodeRecord, encodeRecord, type CodeRecord } from './record.js'
import { open, seal } from './seal.js'

/**
 * What a refresh token stands for: its family and the family's grant, the code's record without
 * its PKCE challenge, whose `issuedAt` is when the family started (the code exchange) and
 * `expiresAt` when it ends at the latest (`maxLifetime`). Sealed under a key only the token opens.
 */
export interface RefreshRecord {
  familyId: string
  grant: Omit<CodeRecord, 'codeChallenge'>
}

const VERSION = 1

/** A refresh token, and its id: the hash under which a store keeps it. */
export interface DrawnToken {
  token: string
  id: string
}

/**
 * The id a refresh token is stored under: its first two characters (the hash tag of its family,
 * never secret: SPEC §4), then the first 128 bits of SHA-256 of the whole token under a label of
 * its own, or with `atRestKey` of an HMAC of it; 24 characters.
 */
export function refreshTokenId(atRest: AtRest, token: string): string {
  return token.slice(0, TAG_LENGTH) + atRest.derive('express-authcode refresh token id', token).subarray(0, 16).toString('base64url')
}

function recordKey(atRest: AtRest, token: string): Buffer {
  return atRest.derive('express-authcode refresh token record', token)
}

/**
 * A new refresh token of the family whose hash tag is `tag` (the first token draws its own): 43
 * base64url characters from the CSPRNG, the first two the family's tag and the other 41 random
 * (246 bits), like a code saved beside its idempotency record (SPEC §4).
 */
export function drawRefreshToken(atRest: AtRest, tag?: string): DrawnToken {
  // 33 bytes are 44 base64url characters with no padding bits: each character is uniform.
  const drawn = random(33).toString('base64url').slice(0, CODE_LENGTH)
  const token = tag === undefined ? drawn : tag + drawn.slice(TAG_LENGTH)
  return { token, id: refreshTokenId(atRest, token) }
}

/** A new family's id: its tag, then 128 random bits (22 characters). */
export function familyIdFor(tag: string): string {
  return tag + random(16).toString('base64url')
}

/** Whether a string has the shape of a refresh token (checked before any store round trip). */
export const looksLikeRefreshToken = looksLikeCode

/** A record sealed for the store under a key derived from its token, bound to the id it is stored under. */
export function sealRefreshRecord(atRest: AtRest, { token, id }: DrawnToken, record: RefreshRecord): string {
  const family = Buffer.from(record.familyId, 'ascii')
  const bytes = Buffer.concat([Buffer.of(VERSION, family.length), family, encodeRecord(record.grant)])
  return seal(recordKey(atRest, token), bytes, id)
}

/**
 * The record of `token` from what the store kept under its id, or `undefined` when it does not
 * open (altered, or sealed under another `atRestKey`).
 */
export function openRefreshRecord(atRest: AtRest, token: string, id: string, value: string): RefreshRecord | undefined {
  try {
    const bytes = open(recordKey(atRest, token), value, id)
    if (bytes[0] !== VERSION) return undefined
    const length = bytes[1] ?? 0
    return { familyId: bytes.subarray(2, 2 + length).toString('ascii'), grant: decodeRecord(bytes.subarray(2 + length)) }
  } catch {
    return undefined
  }
}
