import type { CodeKind, Grant, RedeemExpectation } from '../../types/grant.js'
import type { StoredCode } from '../../types/store.js'
import type { AtRest } from './at-rest.js'
import { ByteReader, ByteWriter } from './bytes.js'
import { open, seal } from './seal.js'

/**
 * What a code stands for: its {@link Grant}, with the PKCE challenge the grant does not show and
 * times in epoch milliseconds. Sealed before it reaches the store, opened only with the code.
 */
export interface CodeRecord extends Omit<Grant, 'issuedAt' | 'expiresAt'> {
  /** PKCE S256 challenge the code is bound to. */
  codeChallenge?: string
  issuedAt: number
  /** The store forgets the record (and its consumed marker) then. */
  expiresAt: number
}

const VERSION = 1

/** Every kind of code, in the order the record's kind byte numbers them. */
export const CODE_KINDS: readonly CodeKind[] = ['magic_link', 'capture', 'authorize']

/** Which optional fields follow, one bit each, in this order. */
const FIELDS = [
  'scope',
  'redirectUri',
  'codeChallenge',
  'integrationContext',
  'transactionState',
  'resource',
  'authTime',
  'dpopJkt',
] as const
type OptionalField = (typeof FIELDS)[number]

/**
 * A record in a compact binary form (a version byte, the kind, a bit per optional field, the
 * issue time and lifetime, then length-prefixed fields; a PKCE challenge and a DPoP key's
 * thumbprint as their 32 bytes), so a code costs the store as few bytes as it can.
 */
export function encodeRecord(record: CodeRecord): Buffer {
  const present = FIELDS.filter((field) => record[field] !== undefined)
  const writer = new ByteWriter()
    .byte(VERSION)
    .byte(CODE_KINDS.indexOf(record.kind))
    .byte(present.reduce((bits, field) => bits | (1 << FIELDS.indexOf(field)), 0))
    .uint48(record.issuedAt)
    .varint(record.expiresAt - record.issuedAt)
    .text(record.subject)
    .text(record.clientId)
  for (const field of present) writeField(writer, field, record)
  return writer.done()
}

function writeField(writer: ByteWriter, field: OptionalField, record: CodeRecord): void {
  switch (field) {
    // Both a SHA-256 in base64url (43 characters, checked where they are taken): kept as their 32 bytes.
    case 'codeChallenge':
    case 'dpopJkt':
      writer.raw(Buffer.from(record[field] as string, 'base64url'))
      return
    case 'integrationContext':
    case 'transactionState':
      writer.text(JSON.stringify(record[field]))
      return
    case 'resource':
      writer.varint((record.resource as string[]).length)
      for (const resource of record.resource as string[]) writer.text(resource)
      return
    case 'authTime':
      writer.varint(record.authTime as number)
      return
    default:
      writer.text(record[field] as string)
  }
}

/** Reads what {@link encodeRecord} wrote. @throws Error for bytes it did not write. */
export function decodeRecord(bytes: Buffer): CodeRecord {
  const reader = new ByteReader(bytes)
  if (reader.byte() !== VERSION) throw new Error('unknown record version')
  const kind = CODE_KINDS[reader.byte()]
  if (kind === undefined) throw new Error('unknown code kind')
  const bits = reader.byte()
  const issuedAt = reader.uint48()
  const record: CodeRecord = { kind, issuedAt, expiresAt: issuedAt + reader.varint(), subject: reader.text(), clientId: reader.text() }
  for (const [bit, field] of FIELDS.entries()) if (bits & (1 << bit)) readField(reader, field, record)
  return record
}

function readField(reader: ByteReader, field: OptionalField, record: CodeRecord): void {
  switch (field) {
    case 'codeChallenge':
    case 'dpopJkt':
      record[field] = reader.raw(32).toString('base64url')
      return
    case 'integrationContext':
      record.integrationContext = JSON.parse(reader.text()) as Record<string, unknown>
      return
    case 'transactionState':
      record.transactionState = JSON.parse(reader.text()) as unknown
      return
    case 'resource':
      record.resource = Array.from({ length: reader.varint() }, () => reader.text())
      return
    case 'authTime':
      record.authTime = reader.varint()
      return
    default:
      record[field] = reader.text()
  }
}

/** A record sealed for the store under a key derived from its code, bound to the id it is stored under. */
export function sealRecord(atRest: AtRest, code: string, id: string, record: CodeRecord): StoredCode {
  return { value: seal(atRest.recordKey(code), encodeRecord(record), id), expiresAt: record.expiresAt }
}

/**
 * The record of `code` from what the store kept under its id, or `undefined` when it does not
 * open (altered, or sealed under another `atRestKey`).
 */
export function openRecord(atRest: AtRest, code: string, id: string, value: string): CodeRecord | undefined {
  return openRecordWith(atRest.recordKey(code), id, value)
}

/** The record under `id` opened with its record key (as a passcode unwraps it), or `undefined`. */
export function openRecordWith(recordKey: Buffer, id: string, value: string): CodeRecord | undefined {
  try {
    return decodeRecord(open(recordKey, value, id))
  } catch {
    return undefined
  }
}

/** `auth.redeem()`'s caller must say which kind of code it accepts; a missing `kind` is a host bug, refused before anything is consumed. */
export function requireKind(expect: RedeemExpectation | undefined): RedeemExpectation {
  const kinds = typeof expect?.kind === 'string' ? [expect.kind] : expect?.kind
  if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => CODE_KINDS.includes(k))) {
    throw new TypeError("auth.redeem(code, expect): expect.kind is required ('magic_link', 'capture', 'authorize' or a list of them)")
  }
  return expect as RedeemExpectation
}
