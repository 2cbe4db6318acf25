import { expect } from 'chai'
import { randomBytes, randomUUID } from 'node:crypto'
import request from 'supertest'
import { AtRest } from '../lib/engine/at-rest.js'
import { IdempotencyKey } from '../lib/engine/idempotency.js'
import { ownerGroup } from '../lib/engine/issue.js'
import { decodeRecord, encodeRecord, type CodeRecord } from '../lib/engine/record.js'
import type { AuthcodeOptions } from '../types/index.js'
import { buildApp, CRM_REDIRECT, MOUNT } from './helpers/app.js'
import { postCodes, SERVICE_TOKEN } from './helpers/codes.js'
import { fullOptions, SECRETS, USER_HEADER } from './helpers/endpoints.js'
import { authorizeQuery, locationParams } from './helpers/host-app.js'
import { captureBasic, formText } from './helpers/http.js'
import { useTestRedis } from './helpers/redis.js'
import { dumpUnder } from './helpers/redis-stats.js'

const EMAIL = `ada.${randomUUID().slice(0, 8)}@example.com`
const PHONE = '+44 20 7946 0958'
const CONTEXT_SECRET = `campaign-${randomUUID()}`
const TRANSACTION_SECRET = `cart-${randomUUID()}`
const SESSION_USER = `user-${randomUUID()}`
const CAPTURE_USER = randomUUID()

/** Every kind of issuance, a redemption, a signature claim, limits counted and a single active code, on `keyPrefix`. */
async function issueEverything(options: AuthcodeOptions): Promise<void> {
  const { app, auth } = buildApp(options)
  const issued = await postCodes(app, { external_user_id: EMAIL, integration_context: { phone: PHONE, note: CONTEXT_SECRET } })
  expect(issued.status, issued.text).to.equal(201)
  await auth.redeem(issued.body.code, { kind: 'magic_link' })
  expect((await postCodes(app, { external_user_id: EMAIL })).status).to.equal(201)
  const capture = await request(app)
    .post(`${MOUNT}/access/getAuthorizationCode`)
    .set('Authorization', captureBasic('crm', SECRETS.crmSecret))
    .type('form')
    .send(formText({ uuid: CAPTURE_USER, redirect_uri: CRM_REDIRECT, transaction_state: JSON.stringify({ cart: TRANSACTION_SECRET }) }))
  expect(capture.status, capture.text).to.equal(200)
  const authorized = await request(app).get(`${MOUNT}/authorize?${authorizeQuery()}`).set(USER_HEADER, SESSION_USER).expect(303)
  expect(locationParams(authorized.headers.location).get('code')).to.have.length(43)
  // A failed authentication, so per-IP counters exist too.
  await request(app).post(`${MOUNT}/codes`).set('Authorization', 'Bearer wrong-token-0123456789').send({}).expect(401)
}

describe('records at rest', () => {
  const redis = useTestRedis()
  const options = (overrides: Partial<AuthcodeOptions> = {}) =>
    fullOptions({
      redis: redis.client,
      keyPrefix: redis.prefix,
      singleActiveCode: true,
      rateLimit: { perClient: { limit: 1000, windowMs: 60_000 }, perSubject: { limit: 1000, windowMs: 60_000 } },
      ...overrides,
    })

  for (const atRestKey of [false as const, randomBytes(32)]) {
    it(`leaves no subject, e-mail, phone, context, transaction state, IP or client secret readable in any key or value (${atRestKey ? 'with' : 'without'} atRestKey)`, async () => {
      await issueEverything(options({ atRestKey }))
      const dump = await dumpUnder(redis.client, redis.prefix)
      expect(dump.filter((entry) => entry.key.includes('}code:')).length).to.be.at.least(4)
      expect(dump.some((entry) => entry.key.includes('rl:'))).to.equal(true)
      // Values are base64url text: look inside them too, so an encoding is never mistaken for a seal.
      const raw = JSON.stringify(dump)
      const text =
        raw + [...raw.matchAll(/[A-Za-z0-9_-]{16,}/g)].map(([run]) => Buffer.from(run, 'base64url').toString('latin1')).join('\n')
      for (const secret of [
        EMAIL,
        PHONE,
        CONTEXT_SECRET,
        TRANSACTION_SECRET,
        SESSION_USER,
        CAPTURE_USER,
        SECRETS.crmSecret,
        SERVICE_TOKEN,
      ]) {
        expect(text, secret).not.to.include(secret)
      }
      for (const address of ['127.0.0.1', '::1', '::ffff:']) expect(text, address).not.to.include(address)
    })
  }

  it('names nobody in a key name with atRestKey: the bare hash of a known e-mail or IP finds no key; with atRestKey: false it does', async () => {
    const bare = new AtRest()
    const guesses = [ownerGroup(bare, EMAIL), bare.digest('subject', `crm\n${EMAIL}`), bare.digest('ip', '127.0.0.1')]
    const found = async () => {
      const keys = (await dumpUnder(redis.client, redis.prefix)).map((entry) => entry.key).join('\n')
      return guesses.filter((guess) => keys.includes(guess))
    }
    await issueEverything(options({ atRestKey: randomBytes(32) }))
    expect(await found()).to.deep.equal([])
    await issueEverything(options({ atRestKey: false }))
    expect(await found()).to.have.length.of.at.least(2)
  })

  it('keys every derivation with atRestKey: codes and Idempotency-Keys of one key are nothing to a router with another', async () => {
    const [first, second] = [randomBytes(32), randomBytes(32)]
    const one = buildApp(options({ atRestKey: first }))
    const other = buildApp(options({ atRestKey: second }))
    const idempotencyKey = randomUUID()
    const res = await postCodes(one.app, { external_user_id: 'u1' }, { 'idempotency-key': idempotencyKey }).expect(201)
    await other.auth.redeem(res.body.code, { kind: 'magic_link' }).then(
      () => expect.fail('another atRestKey redeemed the code'),
      (err: Error) => expect(err.name).to.equal('InvalidGrantError'),
    )
    // Someone who guesses or learns the raw Idempotency-Key finds no record without atRestKey.
    const guessed = new IdempotencyKey(new AtRest(), 'crm', idempotencyKey)
    const keys = (await dumpUnder(redis.client, redis.prefix)).map((entry) => entry.key)
    expect(keys.some((key) => key.includes(guessed.id))).to.equal(false)
    expect(keys.some((key) => key.includes(new IdempotencyKey(new AtRest(first), 'crm', idempotencyKey).id))).to.equal(true)
    expect((await one.auth.redeem(res.body.code, { kind: 'magic_link' })).subject).to.equal('u1')
  })

  it('refuses an atRestKey that is not 32 bytes', () => {
    expect(() => buildApp(options({ atRestKey: randomBytes(16) }))).to.throw(/"atRestKey" must be 32 bytes/)
    expect(() => buildApp(options({ atRestKey: 'short' }))).to.throw(/"atRestKey" must be 32 bytes/)
    expect(() => buildApp(options({ atRestKey: randomBytes(32).toString('base64url') }))).not.to.throw()
  })
})

describe('the record encoding', () => {
  it('reads back every field it wrote, in a few bytes', () => {
    const record: CodeRecord = {
      kind: 'authorize',
      subject: 'user-\u00e9-42',
      clientId: 'web',
      scope: 'openid profile',
      redirectUri: 'https://shop.example.com/callback?x=1',
      resource: ['https://api.example.com/', 'https://files.example.com/'],
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      integrationContext: { a: [1, { b: null }], c: 'd' },
      transactionState: ['x', 2],
      issuedAt: 1_764_123_456_789,
      expiresAt: 1_764_123_516_789,
    }
    const bytes = encodeRecord(record)
    expect(decodeRecord(bytes)).to.deep.equal(record)
    const plain: CodeRecord = {
      kind: 'magic_link',
      subject: 'u1',
      clientId: 'crm',
      issuedAt: 1_764_123_456_789,
      expiresAt: 1_764_123_756_789,
    }
    expect(decodeRecord(encodeRecord(plain))).to.deep.equal(plain)
    expect(encodeRecord(plain).length).to.be.below(20)
  })
})
