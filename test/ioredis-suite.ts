import { expect } from 'chai'
import request from 'supertest'
import { RedisStore, type AuthcodeOptions } from '../lib/index.js'
import { approvalStoreContract } from './approval-store-contract.js'
import { buildApp, MOUNT } from './helpers/app.js'
import { codesOptions, postCodes, SERVICE_TOKEN } from './helpers/codes.js'
import { uniquePrefix } from './helpers/redis.js'
import { refreshStoreContract } from './refresh-store-contract.js'
import { onRealTime, storeContract } from './store-contract.js'

/**
 * The store contracts and one router's guarantees (an Idempotency-Key claimed once, a code
 * redeemed once, the per-user limit, health) on an ioredis connection, standalone or Cluster.
 * `connection` is read in hooks and tests, once the caller's `before` connected it.
 */
export function ioredisSuite(connection: () => NonNullable<AuthcodeOptions['redis']>): void {
  describe('RedisStore', () => {
    storeContract(() => onRealTime(new RedisStore({ client: connection(), prefix: uniquePrefix() })))
    describe('refresh tokens', () => {
      refreshStoreContract(() => onRealTime(new RedisStore({ client: connection(), prefix: uniquePrefix() })))
    })
    describe('cross-device approvals', () => {
      approvalStoreContract(() => new RedisStore({ client: connection(), prefix: uniquePrefix() }))
    })
  })

  describe('the router', () => {
    const router = () => buildApp(codesOptions({ redis: connection(), keyPrefix: uniquePrefix() }))

    it('issues once for 20 concurrent POST /codes with one Idempotency-Key, and redeems that code once among 20', async () => {
      const { app, auth } = router()
      const key = crypto.randomUUID()
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => postCodes(app, { external_user_id: 'u1' }, { 'Idempotency-Key': key })),
      )
      const issued = answers.filter((a) => a.status === 201)
      expect(issued.length, 'replays and in-flight 409s only besides').to.be.at.least(1)
      expect(answers.every((a) => a.status === 201 || a.status === 409)).to.equal(true)
      expect(new Set(issued.map((a) => a.body.code)).size).to.equal(1)
      const code = issued[0]?.body.code as string
      const redeemed = await Promise.allSettled(Array.from({ length: 20 }, () => auth.redeem(code, { kind: 'magic_link' })))
      expect(redeemed.filter((r) => r.status === 'fulfilled')).to.have.length(1)
    })

    it('refuses the 6th code for one user in 15 minutes with 429, shared through Redis by two routers', async () => {
      const keyPrefix = uniquePrefix()
      const routers = [0, 1].map(() => buildApp(codesOptions({ redis: connection(), keyPrefix, rateLimit: {} })))
      const statuses: number[] = []
      for (let i = 0; i < 6; i++) statuses.push((await postCodes(routers[i % 2]!.app, { external_user_id: 'u-limit' })).status)
      expect(statuses).to.deep.equal([201, 201, 201, 201, 201, 429])
    })

    it('reports the Redis it runs on healthy, and answers 401 to an unknown service token', async () => {
      const { app, auth } = router()
      const issued = await postCodes(app, { external_user_id: 'u2' }).expect(201)
      expect(issued.body.code).to.have.length(43)
      expect((await auth.health()).ok).to.equal(true)
      const unknown = await request(app)
        .post(`${MOUNT}/codes`)
        .set('Authorization', `Bearer ${SERVICE_TOKEN}x`)
        .send({ external_user_id: 'u2' })
      expect(unknown.status).to.equal(401)
    })
  })
}
