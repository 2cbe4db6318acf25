import type { ApprovalDecision, ApprovalOutcome, ApprovalState, ApprovalStore } from '../../types/store.js'
import { burn, type Entry } from './memory-entries.js'

/**
 * Approvals of a {@link MemoryStore}, kept on the code's own entry (so they die with it), with
 * the semantics of the Redis store's: decided once, a cancellation burning the code in the same step.
 */
export class MemoryApprovals implements ApprovalStore {
  /** @param entryOf the code's entry while it has not expired (consumed or not). */
  constructor(private readonly entryOf: (id: string) => Entry | undefined) {}

  async decide(id: string, decision: ApprovalDecision): Promise<ApprovalOutcome> {
    const entry = this.entryOf(id)
    if (entry?.approval) return { status: 'already', approved: entry.approval.approved }
    if (!entry || entry.consumed) return { status: 'missing' }
    entry.approval = decision.approve ? { approved: true, value: decision.value } : { approved: false }
    if (!decision.approve) burn(entry)
    return { status: 'decided' }
  }

  async read(id: string): Promise<ApprovalState> {
    const entry = this.entryOf(id)
    if (entry?.approval?.approved === false) return { status: 'cancelled' }
    if (!entry || entry.consumed) return { status: 'expired' }
    return entry.approval ? { status: 'approved', value: entry.approval.value } : { status: 'pending' }
  }
}
