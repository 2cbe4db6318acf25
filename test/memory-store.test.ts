import { expect } from 'chai'
import { MemoryStore } from '../lib/index.js'
import { storeContract } from './store-contract.js'

describe('MemoryStore', () => {
  const stores: MemoryStore[] = []
  after(() => stores.forEach((s) => s.close()))

  storeContract(() => {
    const store = new MemoryStore()
    stores.push(store)
    return store
  })

  it('sweeps expired entries so memory does not grow with old codes', async () => {
    const store = new MemoryStore({ sweepIntervalMs: 50 })
    stores.push(store)
    const now = Date.now()
    for (let i = 0; i < 100; i++)
      await store.save(`id-${i}`, { kind: 'magic_link', subject: 'u', clientId: 'c', issuedAt: now, expiresAt: now + 30 })
    expect(store.size).to.equal(100)
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(store.size).to.equal(0)
  })
})
