import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import type { CodeStore, PasscodeAttempt, StoredCode } from '../types/index.js'
import { fakeClock, sleep } from './helpers/clock.js'
import { fanOut, tally } from './helpers/fan-out.js'

/** A store under test and the time it runs on. */
export interface StoreUnderTest {
  store: CodeStore
  /** The store's present time in milliseconds, which records are stamped with. */
  now(): number
  /** Lets `ms` milliseconds pass for the store. */
  elapse(ms: number): Promise<void>
}

/** A store on real time (Redis TTLs): time passes by waiting, so TTLs in the contract stay short. */
export function onRealTime(store: CodeStore): StoreUnderTest {
  return { store, now: Date.now, elapse: sleep }
}

/** A store built on a fake clock: time passes by moving the clock, without waiting. */
export function onFakeClock(build: (now: () => number) => CodeStore): StoreUnderTest {
  const clock = fakeClock()
  return { store: build(clock.now), now: clock.now, elapse: async (ms) => clock.advance(ms) }
}

/** The behaviour every {@link CodeStore} must have; run by each store's own test file. */
export function storeContract(makeStore: () => Promise<StoreUnderTest> | StoreUnderTest): void {
  let store: CodeStore
  let now: () => number
  let elapse: (ms: number) => Promise<void>
  beforeEach(async () => {
    ;({ store, now, elapse } = await makeStore())
  })

  /** A code as a store sees it: an opaque (sealed) value and its expiry. */
  function record(ttlMs: number, value = `sealed-${randomUUID()}`): StoredCode {
    return { value, expiresAt: now() + ttlMs }
  }

  it('returns a saved value once as consumed', async () => {
    const id = randomUUID()
    const saved = record(60_000)
    await store.save(id, saved)
    expect(await store.consume(id)).to.deep.equal({ status: 'consumed', value: saved.value })
  })

  it('returns the original value as reused on every later consume', async () => {
    const id = randomUUID()
    const saved = record(60_000)
    await store.save(id, saved)
    await store.consume(id)
    expect(await store.consume(id)).to.deep.equal({ status: 'reused', value: saved.value })
    expect(await store.consume(id)).to.deep.equal({ status: 'reused', value: saved.value })
  })

  it('answers missing for an id it never saw', async () => {
    expect(await store.consume(randomUUID())).to.deep.equal({ status: 'missing' })
  })

  it('forgets a live code at its expiry', async () => {
    const id = randomUUID()
    await store.save(id, record(100))
    await elapse(150)
    expect(await store.consume(id)).to.deep.equal({ status: 'missing' })
  })

  it('keeps the consumed marker until the original expiry, then forgets it', async () => {
    const id = randomUUID()
    // Long enough that a loaded machine still reads the marker before it lapses.
    await store.save(id, record(500))
    await store.consume(id)
    expect((await store.consume(id)).status).to.equal('reused')
    await elapse(550)
    expect(await store.consume(id)).to.deep.equal({ status: 'missing' })
  })

  it('does not overwrite a code saved under the same id', async () => {
    const id = randomUUID()
    await store.save(id, record(60_000, 'first'))
    await store.save(id, record(60_000, 'second'))
    const result = await store.consume(id)
    expect(result.status === 'consumed' && result.value).to.equal('first')
  })

  it('deletes a code whether or not it was consumed', async () => {
    const live = randomUUID()
    const used = randomUUID()
    await store.save(live, record(60_000))
    await store.save(used, record(60_000))
    await store.consume(used)
    await store.delete(live)
    await store.delete(used)
    expect(await store.consume(live)).to.deep.equal({ status: 'missing' })
    expect(await store.consume(used)).to.deep.equal({ status: 'missing' })
  })

  it('lets exactly one of 200 concurrent consumes win', async () => {
    const id = randomUUID()
    await store.save(id, record(60_000))
    const results = await fanOut(200, () => store.consume(id))
    expect(tally(results, (r) => r.status)).to.deep.equal({ consumed: 1, reused: 199 })
  })

  it('grants a claim once until its TTL passes, then again', async () => {
    const id = randomUUID()
    expect(await store.claimOnce(id, 500)).to.equal(true)
    expect(await store.claimOnce(id, 500)).to.equal(false)
    await elapse(550)
    expect(await store.claimOnce(id, 500)).to.equal(true)
  })

  it('keeps claims of different ids apart', async () => {
    expect(await store.claimOnce(randomUUID(), 60_000)).to.equal(true)
    expect(await store.claimOnce(randomUUID(), 60_000)).to.equal(true)
  })

  it('lets exactly one of 100 concurrent claims of one id win', async () => {
    const id = randomUUID()
    const results = await fanOut(100, () => store.claimOnce(id, 60_000))
    expect(tally(results, String)).to.deep.equal({ true: 1, false: 99 })
  })

  it('gives rate limiters a counting store of their own', async () => {
    const limiterStore = store.rateLimitStore(`rl:${randomUUID()}:`)
    limiterStore.init?.({ windowMs: 60_000 } as never)
    const key = randomUUID()
    await limiterStore.increment(key)
    const second = await limiterStore.increment(key)
    expect(second.totalHits).to.equal(2)
    await limiterStore.decrement(key)
    expect((await limiterStore.increment(key)).totalHits).to.equal(2)
  })

  describe('idempotency records', () => {
    // A code saved with an answer shares its id's first two characters (the slot tag) with the key, as a cluster store requires.
    const pair = () => {
      const tag = 'kq'
      return { keyId: `${tag}${randomUUID()}`, id: `${tag}${randomUUID()}` }
    }

    it('lets exactly one of 50 concurrent claims of a key win', async () => {
      const { keyId } = pair()
      const results = await fanOut(50, (i) => store.claimIdempotencyKey(keyId, 'fp', `owner-${i}`, 10_000))
      expect(tally(results, (r) => (r.status === 'in-flight' ? `in-flight ${r.fingerprint}` : r.status))).to.deep.equal({
        claimed: 1,
        'in-flight fp': 49,
      })
    })

    it('saves a code together with the answer, then reports the key done with that answer', async () => {
      const { keyId, id } = pair()
      await store.claimIdempotencyKey(keyId, 'fp', 'me', 10_000)
      expect(await store.save(id, record(60_000), { keyId, owner: 'me', answer: 'sealed', ttlSeconds: 60 })).to.equal(true)
      expect(await store.claimIdempotencyKey(keyId, 'other', 'you', 10_000)).to.deep.equal({
        status: 'done',
        fingerprint: 'fp',
        answer: 'sealed',
      })
      expect((await store.consume(id)).status).to.equal('consumed')
    })

    it('saves nothing for an owner that no longer holds the key', async () => {
      const { keyId, id } = pair()
      await store.claimIdempotencyKey(keyId, 'fp', 'me', 10_000)
      await store.releaseIdempotencyKey(keyId, 'me')
      await store.claimIdempotencyKey(keyId, 'fp', 'you', 10_000)
      expect(await store.save(id, record(60_000), { keyId, owner: 'me', answer: 'sealed', ttlSeconds: 60 })).to.equal(false)
      expect(await store.consume(id)).to.deep.equal({ status: 'missing' })
      expect((await store.claimIdempotencyKey(keyId, 'fp', 'third', 10_000)).status).to.equal('in-flight')
    })

    it('saves a code with an answer whatever its id, unless it requires a shared slot tag', async function () {
      const keyId = `a${randomUUID()}`
      const id = `b${randomUUID()}`
      if (store.acceptsCodeId?.(id, keyId) === false) this.skip()
      await store.claimIdempotencyKey(keyId, 'fp', 'me', 10_000)
      expect(await store.save(id, record(60_000), { keyId, owner: 'me', answer: 'sealed', ttlSeconds: 60 })).to.equal(true)
      expect(await store.claimIdempotencyKey(keyId, 'fp', 'you', 10_000)).to.deep.equal({
        status: 'done',
        fingerprint: 'fp',
        answer: 'sealed',
      })
    })

    it('releases a key only for the owner that holds it', async () => {
      const { keyId } = pair()
      await store.claimIdempotencyKey(keyId, 'fp', 'me', 10_000)
      await store.releaseIdempotencyKey(keyId, 'someone-else')
      expect((await store.claimIdempotencyKey(keyId, 'fp', 'you', 10_000)).status).to.equal('in-flight')
      await store.releaseIdempotencyKey(keyId, 'me')
      expect((await store.claimIdempotencyKey(keyId, 'fp', 'you', 10_000)).status).to.equal('claimed')
    })

    it('frees a claimed key when its lock expires', async () => {
      const { keyId } = pair()
      await store.claimIdempotencyKey(keyId, 'fp', 'me', 100)
      await elapse(150)
      expect((await store.claimIdempotencyKey(keyId, 'fp', 'you', 10_000)).status).to.equal('claimed')
    })
  })

  describe('peeking', () => {
    it('sees a live code without consuming it, then a consumed one, then none', async () => {
      const id = randomUUID()
      const saved = record(60_000)
      await store.save(id, saved)
      expect(await store.peek(id)).to.deep.equal({ status: 'live', value: saved.value })
      expect(await store.peek(id)).to.deep.equal({ status: 'live', value: saved.value })
      expect((await store.consume(id)).status).to.equal('consumed')
      expect(await store.peek(id)).to.deep.equal({ status: 'consumed' })
      expect(await store.peek(randomUUID())).to.deep.equal({ status: 'missing' })
    })
  })

  describe('owners and revocation', () => {
    const owned = (group: string, clientId = 'crm') => ({ ...record(60_000), owner: { group, clientId } })

    it('deletes every live code of an owner, of all clients or of one, but the one it spares', async () => {
      const group = randomUUID()
      const [a, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()]
      await store.save(a, owned(group))
      await store.save(b, owned(group, 'web'))
      await store.save(c, owned(group))
      await store.save(d, owned(randomUUID()))
      expect(await store.revoke(group, { clientId: 'crm', except: c })).to.equal(1)
      expect(await store.peek(a)).to.deep.equal({ status: 'missing' })
      expect((await store.peek(b)).status).to.equal('live')
      expect((await store.peek(c)).status).to.equal('live')
      expect(await store.revoke(group)).to.equal(2)
      expect((await store.peek(d)).status, 'another owner').to.equal('live')
    })

    it('keeps the reuse marker of a consumed code, and counts only live codes', async () => {
      const group = randomUUID()
      const [used, live] = [randomUUID(), randomUUID()]
      await store.save(used, owned(group))
      await store.save(live, owned(group))
      await store.consume(used)
      expect(await store.revoke(group)).to.equal(1)
      expect((await store.consume(used)).status).to.equal('reused')
      expect(await store.consume(live)).to.deep.equal({ status: 'missing' })
    })
  })

  describe('passcodes', () => {
    const PASSCODE = '482913'
    const macOf = (guess: string) => (id: string) => `mac:${id}:${guess}`
    /** A presentation of `guess`, with no binding and a budget too large to matter unless given. */
    const attempt = (guess: string, more: Partial<PasscodeAttempt> = {}): PasscodeAttempt => ({
      macFor: macOf(guess),
      binding: '',
      maxFailures: 1000,
      windowMs: 60_000,
      ...more,
    })
    const withPasscode = (id: string, group: string, maxAttempts = 3, binding?: string): StoredCode => ({
      ...record(60_000),
      owner: { group: `owner-${group}`, clientId: 'crm' },
      passcode: { group, mac: macOf(PASSCODE)(id), wrappedKey: `wrapped-${id}`, maxAttempts, ...(binding ? { binding } : {}) },
    })
    const saveNew = async (group: string, maxAttempts = 3, binding?: string) => {
      const id = randomUUID()
      await store.save(id, withPasscode(id, group, maxAttempts, binding))
      return id
    }

    it('consumes the code and its passcode together with the right passcode', async () => {
      const [id, group] = [randomUUID(), randomUUID()]
      const saved = withPasscode(id, group)
      await store.save(id, saved)
      expect(await store.consumePasscode(group, attempt(PASSCODE))).to.deep.equal({
        status: 'consumed',
        id,
        value: saved.value,
        wrappedKey: `wrapped-${id}`,
      })
      expect((await store.consume(id)).status).to.equal('reused')
      expect(await store.consumePasscode(group, attempt(PASSCODE))).to.deep.equal({ status: 'missing' })
    })

    it('lets the passcode go with the code when the code is redeemed', async () => {
      const [id, group] = [randomUUID(), randomUUID()]
      await store.save(id, withPasscode(id, group))
      expect((await store.consume(id)).status).to.equal('consumed')
      expect(await store.consumePasscode(group, attempt(PASSCODE))).to.deep.equal({ status: 'missing' })
    })

    it('counts wrong passcodes and burns the grant at the last allowed one', async () => {
      const [id, group] = [randomUUID(), randomUUID()]
      await store.save(id, withPasscode(id, group, 3))
      expect(await store.consumePasscode(group, attempt('000000'))).to.deep.equal({ status: 'wrong', attemptsLeft: 2 })
      expect(await store.consumePasscode(group, attempt('000001'))).to.deep.equal({ status: 'wrong', attemptsLeft: 1 })
      expect(await store.consumePasscode(group, attempt('000002'))).to.deep.equal({ status: 'burned', id })
      expect(await store.consumePasscode(group, attempt(PASSCODE))).to.deep.equal({ status: 'missing' })
      expect((await store.consume(id)).status, 'the code burned with it').to.equal('reused')
    })

    it('evaluates at most maxAttempts of 40 concurrent wrong passcodes', async () => {
      const [id, group] = [randomUUID(), randomUUID()]
      await store.save(id, withPasscode(id, group, 5))
      let evaluated = 0
      const counting = (i: number) => attempt(`9${i}`, { macFor: (codeId) => (evaluated++, macOf(`9${i}`)(codeId)) })
      const results = await fanOut(40, (i) => store.consumePasscode(group, counting(i)))
      expect(tally(results, (r) => r.status)).to.deep.equal({ wrong: 4, burned: 1, missing: 35 })
      expect(evaluated, 'HMACs asked for').to.be.at.most(40)
    })

    it('keeps one live passcode per group: a new one replaces the old, whose code still works as a link', async () => {
      const group = randomUUID()
      const [first, second] = [randomUUID(), randomUUID()]
      await store.save(first, withPasscode(first, group))
      const newer = withPasscode(second, group)
      await store.save(second, newer)
      expect(await store.consumePasscode(group, attempt(PASSCODE))).to.deep.equal({
        status: 'consumed',
        id: second,
        value: newer.value,
        wrappedKey: `wrapped-${second}`,
      })
      expect(await store.consumePasscode(group, attempt(PASSCODE))).to.deep.equal({ status: 'missing' })
      expect((await store.consume(first)).status).to.equal('consumed')
    })

    describe("the group's budget of failures across grants", () => {
      // Long enough that a loaded machine runs the steps inside one window.
      const budget = (maxFailures: number) => ({ maxFailures, windowMs: 1000 })

      it('does not reset with a new passcode: past it every passcode is refused unread, its link left alone, until the window ends', async () => {
        const group = randomUUID()
        const first = await saveNew(group)
        for (const left of [2, 1])
          expect(await store.consumePasscode(group, attempt('0', budget(4)))).to.deep.equal({ status: 'wrong', attemptsLeft: left })
        const second = await saveNew(group)
        for (const left of [2, 1])
          expect(await store.consumePasscode(group, attempt('0', budget(4)))).to.deep.equal({ status: 'wrong', attemptsLeft: left })
        expect(await store.consumePasscode(group, attempt(PASSCODE, budget(4))), 'the right passcode, past the budget').to.deep.equal({
          status: 'locked',
        })
        expect((await store.peek(second)).status, 'its link left alone').to.equal('live')
        const third = await saveNew(group)
        expect(await store.consumePasscode(group, attempt(PASSCODE, budget(4)))).to.deep.equal({ status: 'locked' })
        expect((await store.consume(third)).status, 'its link still redeems').to.equal('consumed')
        expect((await store.consume(first)).status, 'a replaced passcode leaves its link alone').to.equal('consumed')
        await elapse(1050)
        const fourth = await saveNew(group)
        expect(await store.consumePasscode(group, attempt(PASSCODE, budget(4)))).to.include({ status: 'consumed', id: fourth })
      })

      it('gives the failure back when the passcode is right', async () => {
        const group = randomUUID()
        await saveNew(group)
        expect((await store.consumePasscode(group, attempt('0', budget(2)))).status).to.equal('wrong')
        await saveNew(group)
        expect((await store.consumePasscode(group, attempt(PASSCODE, budget(2)))).status).to.equal('consumed')
        await saveNew(group)
        expect((await store.consumePasscode(group, attempt('0', budget(2)))).status, 'the 2nd failure of 2').to.equal('wrong')
        expect((await store.consumePasscode(group, attempt(PASSCODE, budget(2)))).status, 'past the budget').to.equal('locked')
      })

      it('evaluates at most the budget of 40 concurrent wrong passcodes, and refuses the rest unread', async () => {
        const group = randomUUID()
        const id = await saveNew(group, 10)
        const results = await fanOut(40, (i) => store.consumePasscode(group, attempt(`9${i}`, budget(3))))
        const outcomes = tally(results, (r) => r.status)
        // 3 reserved, each evaluated; the 37 others are refused unread, and the grant (10 attempts) keeps its link.
        expect(outcomes, JSON.stringify(outcomes)).to.deep.equal({ locked: 37, wrong: 3 })
        expect((await store.consume(id)).status, 'the live grant left alone').to.equal('consumed')
      })
    })

    describe('bound passcodes (same-browser binding)', () => {
      it('refuses a bound passcode presented without its binding, or with another, counting and spending nothing', async () => {
        const group = randomUUID()
        // One attempt, one failure: anything counted would burn or lock it.
        const id = await saveNew(group, 1, 'binding-1')
        const strict = { maxFailures: 1, windowMs: 60_000 }
        for (const binding of ['', 'binding-2', '', 'binding-2']) {
          for (const guess of [PASSCODE, '000000']) {
            expect(await store.consumePasscode(group, attempt(guess, { ...strict, binding }))).to.deep.equal({ status: 'mismatch' })
          }
        }
        expect((await store.peek(id)).status, 'the code is untouched').to.equal('live')
        expect(await store.consumePasscode(group, attempt(PASSCODE, { ...strict, binding: 'binding-1' }))).to.include({
          status: 'consumed',
          id,
        })
      })

      it('ignores a binding presented for an unbound passcode', async () => {
        const group = randomUUID()
        const id = await saveNew(group)
        expect(await store.consumePasscode(group, attempt(PASSCODE, { binding: 'binding-1' }))).to.include({ status: 'consumed', id })
      })
    })
  })
}
