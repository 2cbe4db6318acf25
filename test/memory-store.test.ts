import { expect } from 'chai'
import { MemoryStore } from '../lib/index.js'
import { fakeClock } from './helpers/clock.js'
import { refreshStoreContract } from './refresh-store-contract.js'
import { onFakeClock, storeContract } from './store-contract.js'

describe('MemoryStore', () => {
  const stores: MemoryStore[] = []
  after(() => stores.forEach((s) => s.close()))

  const onItsClock = () =>
    onFakeClock((now) => {
      const store = new MemoryStore({ now })
      stores.push(store)
      return store
    })
  storeContract(onItsClock)

  describe('refresh tokens', () => {
    refreshStoreContract(onItsClock)
  })

  it('sweeps expired entries so memory does not grow with old codes', async () => {
    const clock = fakeClock()
    const store = new MemoryStore({ sweepIntervalMs: 1, now: clock.now })
    stores.push(store)
    const now = clock.now()
    for (let i = 0; i < 100; i++) await store.save(`id-${i}`, { value: 'sealed', expiresAt: now + 30 })
    expect(store.size).to.equal(100)
    clock.advance(30)
    // The sweep timer runs on real time: give it a few of its 1 ms ticks, no wait for the expiry itself.
    for (let tick = 0; tick < 100 && store.size > 0; tick++) await new Promise((resolve) => setTimeout(resolve, 1))
    expect(store.size).to.equal(0)
  })
})
