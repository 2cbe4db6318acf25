import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import type { Store as RateLimitStore } from 'express-rate-limit'
import { RedisStore, StoreUnavailableError, type AuthcodeOptions, type AuthcodeRouter } from '../lib/index.js'
import { buildApp } from './helpers/app.js'
import { codesOptions, OTHER_SERVICE_TOKEN, postCodes } from './helpers/codes.js'
import { slugOf } from './helpers/http.js'
import { useTestRedis } from './helpers/redis.js'

/** A RedisStore whose rate-limit counters report how many of them count at once, and can be made to fail. */
class WatchedStore extends RedisStore {
  countingNow = 0
  mostAtOnce = 0
  failing: string | undefined

  override rateLimitStore(prefix: string): RateLimitStore {
    const inner = super.rateLimitStore(prefix)
    return {
      localKeys: false,
      prefix,
      init: (options) => inner.init?.(options),
      decrement: (key) => inner.decrement(key),
      resetKey: (key) => inner.resetKey(key),
      increment: async (key) => {
        this.mostAtOnce = Math.max(this.mostAtOnce, ++this.countingNow)
        try {
          if (this.failing && prefix.includes(this.failing)) throw new StoreUnavailableError()
          return await inner.increment(key)
        } finally {
          this.countingNow--
        }
      },
    }
  }
}

async function redeemable(auth: AuthcodeRouter, code: string): Promise<boolean> {
  return auth.redeem(code, { kind: 'magic_link' }).then(
    () => true,
    () => false,
  )
}

describe('POST /codes rate limits and single active code', () => {
  const redis = useTestRedis()

  const app = (overrides: Partial<AuthcodeOptions> = {}) =>
    buildApp(codesOptions({ redis: redis.client, keyPrefix: redis.prefix, rateLimit: {}, ...overrides }))

  describe('rate limits', () => {
    it('answers 429 rate-limited with RateLimit headers and Retry-After after 5 codes for one user', async () => {
      const { app: host } = app()
      for (let i = 0; i < 5; i++) expect((await postCodes(host, { external_user_id: 'u1' })).status).to.equal(201)
      const res = await postCodes(host, { external_user_id: 'u1' })
      expect(res.status).to.equal(429)
      expect(slugOf(res.body)).to.equal('rate-limited')
      expect(res.headers['ratelimit-policy']).to.match(/q=5; w=900/)
      expect(res.headers.ratelimit).to.match(/r=0/)
      expect(Number(res.headers['retry-after'])).to.be.within(1, 900)
      expect((await postCodes(host, { external_user_id: 'u2' })).status).to.equal(201)
    })

    it('does not count replays: a retried request gets its answer again, under the limit or at it', async () => {
      const { app: host } = app({ rateLimit: { perSubject: { limit: 3, windowMs: 60_000 } } })
      const key = randomUUID()
      const replay = () => postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
      const first = await replay()
      for (let i = 0; i < 3; i++) expect((await replay()).body.code).to.equal(first.body.code)
      for (let i = 0; i < 2; i++) expect((await postCodes(host, { external_user_id: 'u1' })).status).to.equal(201)
      const atTheLimit = await replay()
      expect([atTheLimit.status, atTheLimit.body.code]).to.deep.equal([201, first.body.code])
      expect((await postCodes(host, { external_user_id: 'u1' })).status).to.equal(429)
    })

    it('does not count a request that issued no code (failed CodeIssued handler, 409, 422)', async () => {
      const { app: host, auth } = app({ rateLimit: { perSubject: { limit: 2, windowMs: 60_000 } } })
      let fail = true
      let release!: () => void
      let entered!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      const inHandler = new Promise<void>((resolve) => (entered = resolve))
      auth.on('authorization.CodeIssued', async () => {
        if (fail) throw new Error('mailer down')
        entered()
        await gate
      })
      const key = randomUUID()
      const withKey = (body: object) => postCodes(host, body, { 'Idempotency-Key': key })
      expect((await withKey({ external_user_id: 'u1' })).status).to.equal(500)
      fail = false
      const first = withKey({ external_user_id: 'u1' }).then((res) => res)
      await inHandler
      expect((await withKey({ external_user_id: 'u1' })).status).to.equal(409)
      release()
      expect((await first).status).to.equal(201)
      expect((await withKey({ external_user_id: 'u1', ttl: 120 })).status).to.equal(422)
      expect((await postCodes(host, { external_user_id: 'u1' })).status).to.equal(201)
      expect((await postCodes(host, { external_user_id: 'u1' })).status).to.equal(429)
    })

    it('limits each client across all its users', async () => {
      const { app: host } = app({ rateLimit: { perClient: { limit: 3, windowMs: 60_000 } } })
      for (let i = 0; i < 3; i++) expect((await postCodes(host, { external_user_id: `u${i}` })).status).to.equal(201)
      expect((await postCodes(host, { external_user_id: 'u9' })).status).to.equal(429)
      expect((await postCodes(host, { external_user_id: 'u9' }, { Authorization: `Bearer ${OTHER_SERVICE_TOKEN}` })).status).to.equal(201)
    })

    it('counts the per-client and per-user limits at once, in one round trip, and answers 503 when one cannot count', async () => {
      const store = new WatchedStore({ client: redis.client, prefix: redis.prefix })
      const { app: host } = buildApp(codesOptions({ store, rateLimit: { perClient: { limit: 3, windowMs: 60_000 }, failedAuth: false } }))
      expect((await postCodes(host, { external_user_id: 'u1' })).status).to.equal(201)
      expect(store.mostAtOnce).to.equal(2)
      store.failing = 'perSubject'
      const failed = await postCodes(host, { external_user_id: 'u2' })
      expect(failed.status).to.equal(503)
      expect(slugOf(failed.body)).to.equal('store-unavailable')
      store.failing = undefined
      // The failed request's per-client hit stays (a store failure takes nothing back): 2 of 3.
      expect((await postCodes(host, { external_user_id: 'u3' })).status).to.equal(201)
      expect((await postCodes(host, { external_user_id: 'u4' })).status).to.equal(429)
    })

    it('shares the counts of every app on one Redis', async () => {
      const keyPrefix = redis.prefix
      const hosts = [1, 2].map(
        () => buildApp(codesOptions({ redis: redis.client, keyPrefix, rateLimit: { perSubject: { limit: 3, windowMs: 60_000 } } })).app,
      )
      for (let i = 0; i < 3; i++) expect((await postCodes(hosts[i % 2]!, { external_user_id: 'u1' })).status).to.equal(201)
      expect((await postCodes(hosts[1]!, { external_user_id: 'u1' })).status).to.equal(429)
    })
  })

  describe('singleActiveCode', () => {
    it('leaves earlier codes of a user live by default', async () => {
      const { app: host, auth } = app()
      const first = await postCodes(host, { external_user_id: 'u1' })
      await postCodes(host, { external_user_id: 'u1' })
      expect(await redeemable(auth, first.body.code)).to.equal(true)
    })

    it('revokes the earlier live codes of a user when on', async () => {
      const { app: host, auth } = app({ singleActiveCode: true })
      const first = await postCodes(host, { external_user_id: 'u1' })
      const second = await postCodes(host, { external_user_id: 'u1' })
      const third = await postCodes(host, { external_user_id: 'u1' })
      expect(await redeemable(auth, first.body.code)).to.equal(false)
      expect(await redeemable(auth, second.body.code)).to.equal(false)
      expect(await redeemable(auth, third.body.code)).to.equal(true)
    })

    it('does not revoke the codes of another user, or of the same user id at another client', async () => {
      const { app: host, auth } = app({ singleActiveCode: true })
      const mine = await postCodes(host, { external_user_id: 'u1' })
      const otherClient = await postCodes(host, { external_user_id: 'u1' }, { Authorization: `Bearer ${OTHER_SERVICE_TOKEN}` })
      await postCodes(host, { external_user_id: 'u2' })
      expect(await redeemable(auth, mine.body.code)).to.equal(true)
      expect(await redeemable(auth, otherClient.body.code)).to.equal(true)
    })

    it('does not revoke anything on a replay', async () => {
      const { app: host, auth } = app({ singleActiveCode: true })
      const key = randomUUID()
      const first = await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
      await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
      expect(await redeemable(auth, first.body.code)).to.equal(true)
    })
  })
})
