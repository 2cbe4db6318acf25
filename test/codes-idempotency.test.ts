import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import request from 'supertest'
import type { AuthcodeOptions } from '../lib/index.js'
import { buildApp, MOUNT } from './helpers/app.js'
import { codesOptions, codesRequest, expectOneIssued, OTHER_SERVICE_TOKEN, postCodes, SERVICE_TOKEN } from './helpers/codes.js'
import { fanOut } from './helpers/fan-out.js'
import { serve, slugOf } from './helpers/http.js'
import { keysUnder, useTestRedis, type TestRedis } from './helpers/redis.js'
import { clientCommandsDuring, commandCalls, commandsBetween, dumpUnder } from './helpers/redis-stats.js'

const codeKeys = async (redis: TestRedis, prefix: string) => (await keysUnder(redis, prefix)).filter((key) => key.includes('}code:'))

describe('POST /codes idempotency', () => {
  const redis = useTestRedis()

  function app(overrides: Partial<AuthcodeOptions> = {}) {
    const keyPrefix = redis.prefix
    const built = buildApp(codesOptions({ redis: redis.client, keyPrefix, ...overrides }))
    const issued: string[] = []
    built.auth.on('authorization.CodeIssued', ({ data }) => void issued.push(data.code))
    return { ...built, keyPrefix, issued }
  }

  it('answers 400 idempotency-key-missing without the header', async () => {
    const { app: host, issued } = app()
    const res = await request(host).post(`${MOUNT}/codes`).set('Authorization', `Bearer ${SERVICE_TOKEN}`).send({ external_user_id: 'u1' })
    expect(res.status).to.equal(400)
    expect(slugOf(res.body)).to.equal('idempotency-key-missing')
    expect(issued).to.have.length(0)
  })

  it('answers 400 idempotency-key-invalid for a key that is not a UUID', async () => {
    const { app: host, issued } = app()
    for (const key of ['order-42', `"${randomUUID()}`, `${randomUUID()}, ${randomUUID()}`, randomUUID().replaceAll('-', '')]) {
      const res = await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
      expect(res.status, key).to.equal(400)
      expect(slugOf(res.body)).to.equal('idempotency-key-invalid')
    }
    expect(issued).to.have.length(0)
  })

  it('answers 400 idempotency-key-invalid for a UUID that can be guessed: nil, time-based or name-based', async () => {
    const { app: host, issued } = app()
    const guessable = [
      '00000000-0000-0000-0000-000000000000',
      'c232ab00-9414-11ec-b3c8-9f6bdeced846', // version 1: time and node
      '5df41881-3aed-3515-88a7-2f4a814cf09e', // version 3: MD5 of a name
      '2ed6657d-e927-568b-95e1-2665a8aea6a2', // version 5: SHA-1 of a name
      '1ec9414c-232a-6b00-b3c8-9f6bdeced846', // version 6: time-ordered
    ]
    for (const key of guessable) {
      const res = await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
      expect(res.status, key).to.equal(400)
      expect(slugOf(res.body)).to.equal('idempotency-key-invalid')
      expect(res.body.detail).to.match(/random UUID \(version 4 or 7\)/)
    }
    expect(issued).to.have.length(0)
  })

  it('accepts a random UUID of version 7', async () => {
    const { app: host } = app()
    const res = await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': '01932c07-209c-7a3e-9b1c-7d5e4f6a8b90' })
    expect(res.status).to.equal(201)
  })

  it('replays the stored status and body with Idempotent-Replayed: true for the same key and request', async () => {
    const { app: host, issued } = app({ magicLinkUrl: 'https://shop.example.com/magic' })
    const key = randomUUID()
    const first = await postCodes(
      host,
      { external_user_id: 'u1', ttl: 120, integration_context: { a: 1, b: 2 } },
      { 'Idempotency-Key': key },
    )
    const again = await postCodes(host, '{ "integration_context": {"b":2,"a":1}, "ttl": 120, "external_user_id": "u1" }', {
      'Idempotency-Key': key,
      'Content-Type': 'application/json',
    })
    expect(first.status).to.equal(201)
    expect(first.headers['idempotent-replayed']).to.equal(undefined)
    expect(again.status).to.equal(201)
    expect(again.headers['idempotent-replayed']).to.equal('true')
    expect(again.headers['cache-control']).to.equal('no-store')
    expect(again.body).to.deep.equal(first.body)
    expect(issued).to.have.length(1)
  })

  it('takes a key as a quoted sf-string or bare, in any case, as one key', async () => {
    const { app: host, issued } = app()
    const key = randomUUID()
    const first = await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': `"${key}"` })
    const again = await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key.toUpperCase() })
    expect(again.headers['idempotent-replayed']).to.equal('true')
    expect(again.body.code).to.equal(first.body.code)
    expect(issued).to.have.length(1)
  })

  it('answers 422 idempotency-key-reused for the same key with another body', async () => {
    const { app: host, issued } = app()
    const key = randomUUID()
    await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
    const res = await postCodes(host, { external_user_id: 'u2' }, { 'Idempotency-Key': key })
    expect(res.status).to.equal(422)
    expect(slugOf(res.body)).to.equal('idempotency-key-reused')
    expect(issued).to.have.length(1)
  })

  it('answers 409 idempotency-key-in-flight with Retry-After while the first request still runs', async () => {
    const { app: host, auth, issued } = app()
    let release!: () => void
    let entered!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const inHandler = new Promise<void>((resolve) => (entered = resolve))
    auth.on('authorization.CodeIssued', async () => {
      entered()
      await gate
    })
    const key = randomUUID()
    const first = postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key }).then((res) => res)
    await inHandler
    const during = await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
    release()
    expect(during.status).to.equal(409)
    expect(slugOf(during.body)).to.equal('idempotency-key-in-flight')
    expect(Number(during.headers['retry-after'])).to.be.greaterThan(0)
    expect((await first).status).to.equal(201)
    const after = await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
    expect(after.headers['idempotent-replayed']).to.equal('true')
    expect(issued).to.have.length(1)
  })

  it('scopes keys to the client: the same key from another client issues its own code', async () => {
    const { app: host, issued } = app()
    const key = randomUUID()
    const crm = await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
    const web = await postCodes(
      host,
      { external_user_id: 'u1' },
      { 'Idempotency-Key': key, Authorization: `Bearer ${OTHER_SERVICE_TOKEN}` },
    )
    expect(web.status).to.equal(201)
    expect(web.headers['idempotent-replayed']).to.equal(undefined)
    expect(web.body.code).not.to.equal(crm.body.code)
    expect(issued).to.have.length(2)
  })

  it('does not store validation failures: a corrected retry with the same key succeeds', async () => {
    const { app: host } = app()
    const key = randomUUID()
    expect((await postCodes(host, { external_user_id: 'u1', ttl: 5 }, { 'Idempotency-Key': key })).status).to.equal(400)
    const retry = await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
    expect(retry.status).to.equal(201)
    expect(retry.headers['idempotent-replayed']).to.equal(undefined)
  })

  it('does not store a 5xx: a failing CodeIssued handler leaves no code, answers event-handler-failed and frees the key', async () => {
    const { app: host, auth, keyPrefix } = app()
    const offered: string[] = []
    let fail = true
    auth.on('authorization.CodeIssued', ({ data }) => {
      offered.push(data.code)
      if (fail) throw new Error('mailer down')
    })
    const key = randomUUID()
    const res = await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
    expect(res.status).to.equal(500)
    expect(slugOf(res.body)).to.equal('event-handler-failed')
    expect(JSON.stringify(res.body)).not.to.include(offered[0])
    expect(await keysUnder(redis.client, keyPrefix)).to.have.length(0)
    await auth.redeem(offered[0] as string, { kind: 'magic_link' }).then(
      () => expect.fail('a refused code was redeemable'),
      (err: Error) => expect(err.name).to.equal('InvalidGrantError'),
    )
    fail = false
    const retry = await postCodes(host, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
    expect(retry.status).to.equal(201)
    expect(retry.headers['idempotent-replayed']).to.equal(undefined)
    expect(retry.body.code).to.equal(offered[1])
    expect((await auth.redeem(retry.body.code, { kind: 'magic_link' })).subject).to.equal('u1')
  })

  it('keeps a finished record idempotencyTtl seconds', async () => {
    const { app: host, keyPrefix } = app({ idempotencyTtl: 3600 })
    await postCodes(host, { external_user_id: 'u1' })
    const [recordKey] = (await keysUnder(redis.client, keyPrefix)).filter((key) => key.includes('}idem:'))
    expect(await redis.client.ttl(recordKey as string)).to.be.within(3590, 3600)
  })

  it('keeps no raw Idempotency-Key and no code anywhere in Redis', async () => {
    const {
      app: host,
      auth,
      keyPrefix,
      issued,
    } = app({ magicLinkUrl: 'https://shop.example.com/magic', rateLimit: undefined, singleActiveCode: true })
    const keys = Array.from({ length: 10 }, () => randomUUID())
    for (const [i, key] of keys.entries()) {
      await postCodes(host, { external_user_id: `user-${i % 3}`, integration_context: { note: 'hello' } }, { 'Idempotency-Key': key })
      await postCodes(host, { external_user_id: `user-${i % 3}`, integration_context: { note: 'hello' } }, { 'Idempotency-Key': key })
    }
    await auth.redeem(issued[9] as string, { kind: 'magic_link' })
    const entries = await dumpUnder(redis.client, keyPrefix)
    expect(entries.filter((e) => e.key.includes('}idem:'))).to.have.length(10)
    const secrets = [...issued, ...keys.flatMap((k) => [k, k.toUpperCase(), k.replaceAll('-', '')])]
    for (const { key, value } of entries) {
      for (const secret of secrets) {
        expect(key).not.to.include(secret)
        expect(value).not.to.include(secret)
      }
    }
  })

  it('issues exactly one code for 50 concurrent requests with one key; the rest are 409 or an identical replay', async () => {
    const { app: host, keyPrefix, issued, auth } = app()
    auth.on('authorization.CodeIssued', () => new Promise((resolve) => setTimeout(resolve, 20)))
    const served = await serve(host)
    try {
      const key = randomUUID()
      const answers = await fanOut(50, () => served.send(codesRequest({ external_user_id: 'u1' }, { 'idempotency-key': key })))
      expectOneIssued(answers)
      expect(issued).to.have.length(1)
      expect(await codeKeys(redis.client, keyPrefix)).to.have.length(1)
    } finally {
      await served.close()
    }
  })

  describe('Redis round trips', () => {
    /** After a warm-up (scripts loaded), the client commands and commandstats delta of one new code. */
    async function measureOneCode(host: ReturnType<typeof buildApp>['app']) {
      expect((await postCodes(host, { external_user_id: 'warm-up' })).status).to.equal(201)
      const before = await commandCalls(redis.client)
      const sent = await clientCommandsDuring(async () => {
        expect((await postCodes(host, { external_user_id: 'u1' })).status).to.equal(201)
      })
      const stats = commandsBetween(before, await commandCalls(redis.client))
      return { sent, stats }
    }

    it('issues a code in 2 Redis commands: claim the key, then save the code with its answer', async () => {
      const { sent, stats } = await measureOneCode(app().app)
      expect(sent).to.deep.equal(['evalsha', 'evalsha'])
      expect(stats.evalsha).to.equal(2)
      expect(stats.eval ?? 0).to.equal(0)
    })

    it('adds one command per rate limit when limits are on (the default): a right token only reads its failed-authentication count', async () => {
      const { sent } = await measureOneCode(app({ rateLimit: {} }).app)
      // The failed-authentication count read (GET), the claim, the per-client and per-subject
      // counts (the four sent together), the save; nothing to give back.
      // test/round-trips.test.ts counts the round trips.
      expect([...sent].sort()).to.deep.equal(['evalsha', 'evalsha', 'evalsha', 'evalsha', 'get'])
    })
  })
})
