import { expect } from 'chai'
import { random } from '../lib/engine/codes.js'

describe('random bytes', () => {
  it('hands out fresh bytes every time, and never changes bytes already handed out', () => {
    const first = random(32)
    const kept = Buffer.from(first)
    // Enough draws to refill the pool several times.
    const drawn = Array.from({ length: 500 }, () => random(32).toString('hex'))
    expect(first.equals(kept)).to.equal(true)
    expect(new Set([kept.toString('hex'), ...drawn]).size).to.equal(501)
  })

  it('serves sizes beyond the pool', () => {
    expect(random(10_000)).to.have.length(10_000)
  })
})
