import { expect } from 'chai'
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { AtRest } from '../lib/engine/at-rest.js'
import { IdempotencyKey } from '../lib/engine/idempotency.js'
import { sealRecord } from '../lib/engine/record.js'
import { baseOptions, buildApp, TEST_AT_REST_KEY } from './helpers/app.js'
import { codesOptions, postCodes } from './helpers/codes.js'
import { keysUnder, useTestRedis } from './helpers/redis.js'

/**
 * 0.x kept a code (32 random bytes, base64url) under the first 128 bits of its HMAC, hash-tagged
 * by the HMAC's first character, and an idempotency record tagged by its id's first character.
 * Now a code is kept under its own first two characters and the HMAC, tagged by those two, and an
 * idempotency record tagged by its id's first two: nothing of 0.x is found, nothing fails.
 */
describe('Codes and Idempotency-Keys of 0.x after an upgrade', () => {
  const redis = useTestRedis()
  const atRest = new AtRest(TEST_AT_REST_KEY)

  /** A live magic-link code of user-42 stored as 0.x stored it, under `id` (by default its 0.x id) and that id's first `tagLength` characters. */
  async function storeCode(code: string, id: string, tagLength: number): Promise<string> {
    const issuedAt = Date.now()
    const record = { kind: 'magic_link' as const, subject: 'user-42', clientId: 'crm', issuedAt, expiresAt: issuedAt + 60_000 }
    const key = `${redis.prefix}{${id.slice(0, tagLength)}}code:${id}`
    await redis.client.set(key, `L${sealRecord(atRest, code, id, record).value}`, { PX: 60_000 })
    return key
  }
  const oldId = (code: string) => createHmac('sha256', TEST_AT_REST_KEY).update(code).digest().subarray(0, 16).toString('base64url')

  it('refuses a 0.x code as an unknown one: invalid_grant, no reuse reported, its key left to its TTL', async () => {
    const { auth } = buildApp(baseOptions({ redis: redis.client, keyPrefix: redis.prefix }))
    const code = randomBytes(32).toString('base64url')
    const key = await storeCode(code, oldId(code), 1)
    let reused = 0
    auth.on('authorization.CodeReuseDetected', () => {
      reused++
    })
    for (let attempt = 0; attempt < 2; attempt++) {
      const failure = await auth.redeem(code, { kind: 'magic_link' }).then(
        () => undefined,
        (err: unknown) => err,
      )
      expect((failure as { code?: string } | undefined)?.code).to.equal('invalid_grant')
    }
    expect(reused).to.equal(0)
    expect(await keysUnder(redis.client, redis.prefix)).to.deep.equal([key])
    expect(await redis.client.pTTL(key)).to.be.within(1, 60_000)
  })

  it('would redeem the same record stored under its id of today: only the id differs', async () => {
    const { auth } = buildApp(baseOptions({ redis: redis.client, keyPrefix: redis.prefix }))
    const code = randomBytes(32).toString('base64url')
    await storeCode(code, atRest.codeId(code), 2)
    expect((await auth.redeem(code, { kind: 'magic_link' })).subject).to.equal('user-42')
  })

  it('issues a fresh code, not a replay of the dead 0.x one, for an Idempotency-Key of 0.x retried after the upgrade', async () => {
    const { app, auth } = buildApp(codesOptions({ redis: redis.client, keyPrefix: redis.prefix }))
    const raw = randomUUID()
    const key = new IdempotencyKey(atRest, 'crm', raw)
    const body = { external_user_id: 'u1' }
    await redis.client.set(`${redis.prefix}{${key.id.charAt(0)}}idem:${key.id}`, `D${key.fingerprint(body)} sealed-by-0.x`, { EX: 86_400 })
    const answer = await postCodes(app, body, { 'Idempotency-Key': raw })
    expect(answer.status, answer.text).to.equal(201)
    expect(answer.headers['idempotent-replayed']).to.equal(undefined)
    expect((await auth.redeem(answer.body.code as string, { kind: 'magic_link' })).subject).to.equal('u1')
    const replay = await postCodes(app, body, { 'Idempotency-Key': raw })
    expect(replay.headers['idempotent-replayed']).to.equal('true')
    expect(replay.body).to.deep.equal(answer.body)
  })
})
