import type { RedeemExpectation } from '../../types/grant.js'
import { looksLikeCode } from './codes.js'
import type { Engine } from './engine.js'
import { openRecord } from './record.js'
import type { OpenedRecord } from './redeem.js'
import { verifierFit } from './verifier-fit.js'

/** What a code, read without consuming it, allows in a browser: a page to show instead, or how to redeem it. */
export type Redemption =
  /**
   * Nothing to redeem here, and nothing consumed: `used` for a consumed, expired, unknown or
   * malformed code, or one that is not a magic link.
   */
  | { page: 'used' }
  /** A bound code the browser lacks the verifier of, and the record read (for a cross-device approval). */
  | { page: 'other-browser'; opened: OpenedRecord }
  /** What to present to `redeemCode`, and the record this read opened, for it to reuse. */
  | { redeem: RedeemExpectation; opened: OpenedRecord }

/**
 * What `code` redeems as in a browser whose binding verifier is `verifier`, read without
 * consuming it (SPEC §3.5b), by the rule `redeemCode` applies ({@link verifierFit}). It decides
 * what to show, never who redeems: between this read and a redemption the code may go, and only
 * the atomic consumption of `redeemCode` redeems.
 */
export async function redemptionFor(engine: Engine, code: string, verifier: string | undefined): Promise<Redemption> {
  if (!looksLikeCode(code)) return { page: 'used' }
  const id = engine.atRest.codeId(code)
  const found = await engine.store.peek(id)
  if (found.status !== 'live') return { page: 'used' }
  const record = openRecord(engine.atRest, code, id, found.value)
  // Only a magic link redeems in a browser; other kinds go to an endpoint with their client.
  if (record === undefined || record.expiresAt <= Date.now() || record.kind !== 'magic_link') return { page: 'used' }
  const opened = { value: found.value, record }
  switch (verifierFit(record.codeChallenge, verifier)) {
    case 'fits':
      return { redeem: { kind: 'magic_link', codeVerifier: verifier }, opened }
    case 'missing':
    case 'mismatch':
      return { page: 'other-browser', opened }
    case 'unbound':
    case 'unexpected':
      // The browser's verifier is the browser's, not the code's: sent for an unbound code, it would burn it.
      return { redeem: { kind: 'magic_link' }, opened }
  }
}
