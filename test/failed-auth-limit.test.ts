import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import type { Express } from 'express'
import request from 'supertest'
import { MemoryStore, type AuthcodeOptions } from '../lib/index.js'
import { buildApp, CRM_SECRET, issue, MOUNT, tokenForm } from './helpers/app.js'
import { codesOptions, postCodes, READ_ONLY_TOKEN } from './helpers/codes.js'
import { captureBasic, formText, slugOf } from './helpers/http.js'
import { keysUnder, uniquePrefix, useTestRedis } from './helpers/redis.js'

const LIMIT = 3
const failedAuth = { limit: LIMIT, windowMs: 60_000 }
const wrongBearer = { Authorization: 'Bearer wrong-token-0123456789abcdef' }

/** Waits up to a second for `done`, which the router reaches without waiting for an answer. */
async function until(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await done()); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  expect(await done()).to.equal(true)
}

describe('failed authentications per IP', () => {
  const redis = useTestRedis()

  const app = (overrides: Partial<AuthcodeOptions> = {}) =>
    buildApp(
      codesOptions({
        redis: redis.client,
        keyPrefix: uniquePrefix(),
        rateLimit: { perClient: false, perSubject: false, perIp: false, failedAuth },
        findUser: ({ uuid }) => uuid ?? null,
        ...overrides,
      }),
    )

  describe('POST /codes', () => {
    it('answers 429 once the limit of failed bearer tokens is reached, even to the right token', async () => {
      const { app: host } = app()
      for (let i = 0; i < LIMIT; i++) expect((await postCodes(host, { external_user_id: 'u' }, wrongBearer)).status).to.equal(401)
      const res = await postCodes(host, { external_user_id: 'u' })
      expect(res.status).to.equal(429)
      expect(slugOf(res.body)).to.equal('rate-limited')
      expect(Number(res.headers['retry-after'])).to.be.within(1, 60)
      expect(res.headers['ratelimit-policy'], 'the headers of the limit, though a right token only reads the count').to.match(/q=3; w=60/)
    })

    it('counts and gives back a right token on a store whose limits cannot be read without counting', async () => {
      const store = new MemoryStore()
      const rateLimitStore = store.rateLimitStore.bind(store)
      store.rateLimitStore = (prefix) => {
        const counter = rateLimitStore(prefix)
        return {
          init: counter.init?.bind(counter),
          increment: counter.increment.bind(counter),
          decrement: counter.decrement.bind(counter),
          resetKey: counter.resetKey.bind(counter),
        }
      }
      const { app: host } = app({ store, redis: undefined })
      for (let i = 0; i < 2 * LIMIT; i++) expect((await postCodes(host, { external_user_id: `u${i}` })).status).to.equal(201)
      for (let i = 0; i < LIMIT; i++) expect((await postCodes(host, { external_user_id: 'u' }, wrongBearer)).status).to.equal(401)
      expect((await postCodes(host, { external_user_id: 'u' })).status).to.equal(429)
    })

    it('does not count successful authentications against the limit', async () => {
      const { app: host } = app()
      for (let i = 0; i < 2 * LIMIT; i++) expect((await postCodes(host, { external_user_id: `u${i}` })).status).to.equal(201)
      for (let i = 0; i < LIMIT; i++) expect((await postCodes(host, { external_user_id: 'u' }, wrongBearer)).status).to.equal(401)
    })

    it('evaluates no more guesses than the limit when they arrive all at once', async () => {
      const { app: host } = app()
      const answers = await Promise.all(Array.from({ length: 20 }, () => postCodes(host, { external_user_id: 'u' }, wrongBearer)))
      const statuses = answers.map((a) => a.status)
      expect(statuses.filter((s) => s === 401)).to.have.length(LIMIT)
      expect(statuses.filter((s) => s === 429)).to.have.length(20 - LIMIT)
    })

    it('answers 429 over the limit to the right token whatever else is wrong or right with the request', async () => {
      const { app: host } = app()
      const key = randomUUID()
      expect((await postCodes(host, { external_user_id: 'u' }, { 'Idempotency-Key': key })).status).to.equal(201)
      for (let i = 0; i < LIMIT; i++) expect((await postCodes(host, { external_user_id: 'u' }, wrongBearer)).status).to.equal(401)
      // Under the limit: 400 validation-error, 400 idempotency-key-invalid, a replay, 422, 403.
      const answers = [
        await postCodes(host, { external_user_id: 'u', ttl: 5 }),
        await postCodes(host, { external_user_id: 'u' }, { 'Idempotency-Key': 'order-42' }),
        await postCodes(host, { external_user_id: 'u' }, { 'Idempotency-Key': key }),
        await postCodes(host, { external_user_id: 'v' }, { 'Idempotency-Key': key }),
        await postCodes(host, { external_user_id: 'u' }, { Authorization: `Bearer ${READ_ONLY_TOKEN}` }),
      ]
      for (const res of answers) expect([res.status, slugOf(res.body)]).to.deep.equal([429, 'rate-limited'])
    })

    it("calls the host's verifyAccessToken only for attempts under the limit, even when they arrive all at once", async () => {
      let calls = 0
      const verifyAccessToken = () => {
        calls++
        return null
      }
      const { app: host } = app({ accessTokens: undefined, verifyAccessToken })
      const answers = await Promise.all(Array.from({ length: 20 }, () => postCodes(host, { external_user_id: 'u' }, wrongBearer)))
      expect(answers.filter((a) => a.status === 401)).to.have.length(LIMIT)
      expect(calls).to.equal(LIMIT)
    })

    it('gives back what a request over the limit counted, and frees its Idempotency-Key', async () => {
      const keyPrefix = uniquePrefix()
      const { app: host } = app({ keyPrefix, rateLimit: { perClient: { limit: 1, windowMs: 60_000 }, failedAuth } })
      for (let i = 0; i < LIMIT; i++) expect((await postCodes(host, { external_user_id: 'u' }, wrongBearer)).status).to.equal(401)
      expect((await postCodes(host, { external_user_id: 'u' })).status).to.equal(429)
      await until(async () => (await keysUnder(redis.client, keyPrefix)).filter((key) => key.includes('}idem:')).length === 0)
      const [perClient] = await keysUnder(redis.client, `${keyPrefix}rl:codes:perClient:`)
      await until(async () => (await redis.client.get(perClient as string)) === '0')
    })
  })

  describe('POST /token', () => {
    const post = (host: Express, body: Record<string, string>, authorization?: string) => {
      const req = request(host).post(`${MOUNT}/token`).type('form')
      if (authorization) req.set('Authorization', authorization)
      return req.send(body)
    }

    it('counts wrong client secrets and then refuses the right one with 429', async () => {
      const { app: host, auth } = app()
      const body = { grant_type: 'authorization_code', code: 'x'.repeat(43), redirect_uri: 'https://crm.example.com/oauth' }
      for (let i = 0; i < LIMIT; i++) expect((await post(host, body, captureBasic('crm', 'wrong'))).status).to.equal(401)
      const code = await issue(auth, {
        kind: 'capture',
        clientId: 'crm',
        redirectUri: 'https://crm.example.com/oauth',
        codeChallenge: undefined,
      })
      const res = await post(host, { ...body, code }, captureBasic('crm', CRM_SECRET))
      expect(res.status).to.equal(429)
    })

    it('answers 429 over the per-IP limit before any error of the request itself, and spends no attempt on it', async () => {
      const keyPrefix = uniquePrefix()
      const { app: host } = app({
        keyPrefix,
        rateLimit: { perClient: false, perSubject: false, perIp: { limit: 1, windowMs: 60_000 }, failedAuth },
      })
      expect((await post(host, { grant_type: 'password' })).status, 'the one request the IP may make').to.equal(400)
      const malformed = await request(host).post(`${MOUNT}/token`).type('json').send('{}')
      expect(malformed.status, 'a body that is not a form, counted as it arrived').to.equal(429)
      const body = { grant_type: 'authorization_code', code: 'x'.repeat(43), redirect_uri: 'https://crm.example.com/oauth' }
      for (let i = 0; i < LIMIT + 1; i++) expect((await post(host, body, captureBasic('crm', 'wrong'))).status).to.equal(429)
      // Given back without being waited for: the attempts counted reach 0 a moment later.
      await until(async () => {
        const counted = await keysUnder(redis.client, `${keyPrefix}rl:token:failedAuth:`)
        const attempts = await Promise.all(counted.map((key) => redis.client.get(key)))
        return attempts.every((count) => Number(count) === 0)
      })
    })

    it('does not count public clients, which present no secret to guess', async () => {
      const { app: host, auth } = app()
      for (let i = 0; i < 2 * LIMIT; i++) expect((await post(host, tokenForm('x'.repeat(43)))).status).to.equal(400)
      expect((await post(host, tokenForm(await issue(auth)))).status).to.equal(200)
    })
  })

  describe('POST /access/getAuthorizationCode', () => {
    it('answers api_limit_error 429 once the limit of wrong client secrets is reached', async () => {
      const { app: host } = app()
      const params = formText({ uuid: 'u-1', redirect_uri: 'https://crm.example.com/oauth' })
      const call = (authorization: string) =>
        request(host).post(`${MOUNT}/access/getAuthorizationCode`).type('form').set('Authorization', authorization).send(params)
      for (let i = 0; i < LIMIT; i++) expect((await call(captureBasic('crm', 'wrong'))).status).to.equal(401)
      const res = await call(captureBasic('crm', CRM_SECRET))
      expect(res.status).to.equal(429)
      expect(res.body).to.include({ stat: 'error', code: 510, error: 'api_limit_error' })
    })
  })

  it('keys the counters by a hash of the IP, never the address itself', async () => {
    const keyPrefix = uniquePrefix()
    const { app: host } = buildApp(codesOptions({ redis: redis.client, keyPrefix, rateLimit: { failedAuth } }))
    await postCodes(host, { external_user_id: 'u' }, wrongBearer)
    const keys: string[] = []
    for await (const batch of redis.client.scanIterator({ MATCH: `${keyPrefix}rl:*`, COUNT: 100 })) keys.push(...batch)
    expect(keys).to.have.length.greaterThan(0)
    for (const key of keys) expect(key).not.to.match(/127\.0\.0\.1|::1|::ffff/)
  })
})
