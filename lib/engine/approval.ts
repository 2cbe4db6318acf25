import type { Grant } from '../../types/grant.js'
import type { ApprovalState, ApprovalStore } from '../../types/store.js'
import type { AtRest } from './at-rest.js'
import type { Engine } from './engine.js'
import { redeemCode, type OpenedRecord } from './redeem.js'
import { open, seal } from './seal.js'
import { safeEqual } from './timing-safe.js'

/**
 * The two digits the waiting page of the browser that asked for bound code `id` shows, and the
 * device that opens the link must type (SPEC §3.5c): derived from the code's id and its
 * challenge, keyed with `atRestKey` when given. The waiting browser holds the challenge through
 * its verifier, the link's page through the code's sealed record; nobody holding only the pending
 * id or the link's page can tell it, and every process derives the same one.
 */
export function approvalNumber(atRest: AtRest, id: string, challenge: string): string {
  // 2^32 is 96 short of a multiple of 100: a bias no one can use in one try.
  const value = atRest.derive('express-authcode approval number', `${id}\0${challenge}`).readUInt32BE(0) % 100
  return String(value).padStart(2, '0')
}

/** The key the code is sealed under for the browser that asked: only its verifier's challenge (and `atRestKey`) opens it. */
function approvalKey(atRest: AtRest, id: string, challenge: string): Buffer {
  return atRest.derive('express-authcode approval key', `${id}\0${challenge}`)
}

/** The store's approvals; `magicLinkLanding({ crossDevice: true })` refuses a store without them when it is built. */
function approvalsOf(engine: Engine): ApprovalStore {
  const approvals = engine.store.approvalStore?.()
  if (approvals === undefined) throw new TypeError('the store keeps no approvals (CodeStore.approvalStore)')
  return approvals
}

/** What a typed number did: approved the browser that asked, cancelled the sign-in, or nothing (the code is gone). */
export type ApprovalVerdict = 'approved' | 'cancelled' | 'used'

/**
 * Decides, once, on the bound magic link `code` opened on another device, whose record a read
 * opened (`redemptionFor`): the right `typed` number approves the browser that asked, keeping the
 * code sealed for it alone; a wrong one cancels the sign-in and burns the grant. The store decides
 * once, atomically: after a decision (or a concurrent one), nothing changes, and the decision
 * that stands is answered.
 */
export async function decideApproval(engine: Engine, code: string, opened: OpenedRecord, typed: string): Promise<ApprovalVerdict> {
  const challenge = opened.record.codeChallenge
  if (challenge === undefined) return 'used'
  const { atRest } = engine
  const id = atRest.codeId(code)
  const right = safeEqual(typed, approvalNumber(atRest, id, challenge))
  const decision = right
    ? { approve: true as const, value: seal(approvalKey(atRest, id, challenge), Buffer.from(code), id) }
    : { approve: false as const }
  const outcome = await approvalsOf(engine).decide(id, decision)
  if (outcome.status === 'missing') return 'used'
  const approved = outcome.status === 'decided' ? right : outcome.approved
  return approved ? 'approved' : 'cancelled'
}

/** Where the cross-device sign-in of code `id` stands, changing nothing. */
export function approvalState(engine: Engine, id: string): Promise<ApprovalState> {
  return approvalsOf(engine).read(id)
}

/**
 * Redeems the code approved for the browser whose verifier is `verifier` (its challenge opens the
 * code the approval kept), exactly as any redemption of it (`redeemCode`, with that verifier), or
 * answers where the sign-in stands when it is not approved.
 * @throws InvalidGrantError when the code was consumed between the read and the redemption.
 */
export async function redeemApproved(
  engine: Engine,
  id: string,
  challenge: string,
  verifier: string,
): Promise<{ grant: Grant } | { status: Exclude<ApprovalState['status'], 'approved'> }> {
  const state = await approvalState(engine, id)
  if (state.status !== 'approved') return { status: state.status }
  let code: string
  try {
    code = open(approvalKey(engine.atRest, id, challenge), state.value, id).toString()
  } catch {
    // Kept for another browser's challenge: this one cannot finish it.
    return { status: 'expired' }
  }
  return { grant: await redeemCode(engine, code, { kind: 'magic_link', codeVerifier: verifier }) }
}
