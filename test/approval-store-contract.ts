import { randomUUID } from 'node:crypto'
import { expect } from 'chai'
import type { ApprovalStore, CodeStore } from '../types/index.js'

/** A live code saved straight into `store` under a fresh id (a 2-character hash tag, then 22 characters). */
export async function savedCode(store: CodeStore, ttlMs = 60_000): Promise<string> {
  const id = randomUUID().replace(/-/g, '').slice(0, 24)
  expect(await store.save(id, { value: 'record', expiresAt: Date.now() + ttlMs })).to.equal(true)
  return id
}

/**
 * The behaviour of a store's cross-device approvals (SPEC §3.5c), beside its codes; run by
 * `test/cross-device.test.ts` for both stores and by `test/cluster.test.ts` on a Redis Cluster.
 */
export function approvalStoreContract(makeStore: () => CodeStore): void {
  let store: CodeStore
  let approvals: ApprovalStore
  beforeEach(() => {
    store = makeStore()
    const made = store.approvalStore?.()
    if (made === undefined) throw new Error('the store keeps no approvals')
    approvals = made
  })
  afterEach(() => (store as { close?: () => void }).close?.())

  it('decides an approval once: it keeps its value, leaves the code live, and reads expired once the code is consumed', async () => {
    const id = await savedCode(store)
    expect(await approvals.read(id)).to.deep.equal({ status: 'pending' })
    expect(await approvals.decide(id, { approve: true, value: 'sealed' })).to.deep.equal({ status: 'decided' })
    expect(await approvals.decide(id, { approve: false })).to.deep.equal({ status: 'already', approved: true })
    expect(await approvals.read(id)).to.deep.equal({ status: 'approved', value: 'sealed' })
    expect((await store.peek(id)).status).to.equal('live')
    expect((await store.consume(id)).status).to.equal('consumed')
    expect(await approvals.read(id)).to.deep.equal({ status: 'expired' })
  })

  it('decides a cancellation once, burning the code in the same step', async () => {
    const id = await savedCode(store)
    expect(await approvals.decide(id, { approve: false })).to.deep.equal({ status: 'decided' })
    expect(await approvals.decide(id, { approve: true, value: 'x' })).to.deep.equal({ status: 'already', approved: false })
    expect(await approvals.read(id)).to.deep.equal({ status: 'cancelled' })
    expect((await store.peek(id)).status).to.equal('consumed')
    expect((await store.consume(id)).status).to.equal('reused')
  })

  it('decides nothing on a code that is not live: unknown, consumed or revoked', async () => {
    const consumed = await savedCode(store)
    await store.consume(consumed)
    const deleted = await savedCode(store)
    await store.delete(deleted)
    for (const id of [randomUUID().replace(/-/g, '').slice(0, 24), consumed, deleted]) {
      expect(await approvals.decide(id, { approve: true, value: 'v' })).to.deep.equal({ status: 'missing' })
      expect(await approvals.read(id)).to.deep.equal({ status: 'expired' })
    }
  })

  it('records exactly one decision of many concurrent ones, approvals and cancellations mixed', async () => {
    for (const approveFirst of [true, false]) {
      const id = await savedCode(store)
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          approvals.decide(id, i % 2 === (approveFirst ? 0 : 1) ? { approve: true, value: `v${i}` } : { approve: false }),
        ),
      )
      expect(outcomes.filter((o) => o.status === 'decided')).to.have.length(1)
      const seen = new Set(outcomes.map((o) => (o.status === 'already' ? o.approved : undefined)).filter((a) => a !== undefined))
      expect(seen.size).to.equal(1)
      const [approved] = [...seen]
      expect((await approvals.read(id)).status).to.equal(approved ? 'approved' : 'cancelled')
    }
  })
}
