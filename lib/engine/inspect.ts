import type { CodeKind } from '../../types/grant.js'
import { looksLikeCode } from './codes.js'
import type { Engine } from './engine.js'
import { openRecord } from './record.js'

/** What a code is, read without consuming it. */
export type CodeState =
  /** Live: `bound` when it redeems only with the verifier of its challenge (same-browser binding). */
  | { status: 'live'; kind: CodeKind; bound: boolean }
  /** Consumed, expired, unknown or malformed: it will not redeem. */
  | { status: 'gone' }

/**
 * Reads what a code is without consuming it, for a landing page choosing its page. It decides
 * nothing: between this read and a redemption the code may go, and only the atomic
 * consumption of `redeemCode` redeems.
 */
export async function inspectCode(engine: Engine, code: string): Promise<CodeState> {
  if (!looksLikeCode(code)) return { status: 'gone' }
  const id = engine.atRest.codeId(code)
  const found = await engine.store.peek(id)
  const record = found.status === 'live' ? openRecord(engine.atRest, code, id, found.value) : undefined
  if (record === undefined || record.expiresAt <= Date.now()) return { status: 'gone' }
  return { status: 'live', kind: record.kind, bound: record.codeChallenge !== undefined }
}
