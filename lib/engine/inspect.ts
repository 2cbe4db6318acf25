import type { CodeKind } from '../../types/grant.js'
import { looksLikeCode } from './codes.js'
import type { Engine } from './engine.js'
import { verifyS256 } from './pkce.js'
import { openRecord } from './record.js'

/** What a code is, read without consuming it. */
export type CodeState =
  /**
   * Live: `bound` when it redeems only with the verifier of its challenge (same-browser binding);
   * for a bound code read with a verifier, `verifierMatches` says whether it is that verifier.
   */
  | { status: 'live'; kind: CodeKind; bound: boolean; verifierMatches?: boolean }
  /** Consumed, expired, unknown or malformed: it will not redeem. */
  | { status: 'gone' }

/**
 * Reads what a code is without consuming it, for a landing page choosing its page. It decides
 * nothing: between this read and a redemption the code may go, and only the atomic
 * consumption of `redeemCode` redeems.
 */
export async function inspectCode(engine: Engine, code: string, codeVerifier?: string): Promise<CodeState> {
  if (!looksLikeCode(code)) return { status: 'gone' }
  const id = engine.atRest.codeId(code)
  const found = await engine.store.peek(id)
  const record = found.status === 'live' ? openRecord(engine.atRest, code, id, found.value) : undefined
  if (record === undefined || record.expiresAt <= Date.now()) return { status: 'gone' }
  const { kind, codeChallenge } = record
  // A wrong verifier would burn a bound code at redemption: a landing page checks it first.
  if (codeChallenge === undefined) return { status: 'live', kind, bound: false }
  return {
    status: 'live',
    kind,
    bound: true,
    ...(codeVerifier === undefined ? {} : { verifierMatches: verifyS256(codeVerifier, codeChallenge) }),
  }
}
