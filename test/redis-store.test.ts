import { expect } from 'chai'
import { createClientPool } from 'redis'
import { RedisStore } from '../lib/index.js'
import { baseOptions, buildApp, issue, TEST_AT_REST_KEY } from './helpers/app.js'
import { keysUnder, useTestRedis } from './helpers/redis.js'
import { redisUrl } from './helpers/root-hooks.js'
import { refreshStoreContract } from './refresh-store-contract.js'
import { onRealTime, storeContract } from './store-contract.js'

describe('RedisStore', () => {
  const redis = useTestRedis()

  storeContract(() => onRealTime(new RedisStore({ client: redis.client, prefix: redis.prefix })))

  describe('refresh tokens', () => {
    refreshStoreContract(() => onRealTime(new RedisStore({ client: redis.client, prefix: redis.prefix })))
  })

  it('keeps no usable code in any key or value, and every key has the prefix and a TTL', async () => {
    const keyPrefix = redis.prefix
    const { auth } = buildApp(baseOptions({ redis: redis.client, keyPrefix }))
    const codes: string[] = []
    for (let i = 0; i < 20; i++) codes.push(await issue(auth, { subject: `user-${i}`, kind: i % 2 ? 'authorize' : 'magic_link' }))
    await auth.redeem(codes[0] as string, { kind: 'magic_link' }).catch(() => undefined)

    const everything = await keysUnder(redis.client, '')
    const ours = await keysUnder(redis.client, keyPrefix)
    expect(ours.filter((key) => key.includes('}code:'))).to.have.length(20)
    for (const key of everything) {
      const type = await redis.client.type(key)
      const value = type === 'string' ? await redis.client.get(key) : JSON.stringify(await redis.client.dump(key))
      for (const code of codes) {
        expect(key).not.to.include(code)
        expect(String(value)).not.to.include(code)
      }
    }
    for (const key of ours) {
      const ttl = await redis.client.pTTL(key)
      expect(ttl, key).to.be.greaterThan(0).and.at.most(60_000)
    }
  })

  it('holds a code under its first two characters, hash-tagged by them, and the first 128 bits of its HMAC-SHA256 under atRestKey, not the code', async () => {
    const keyPrefix = redis.prefix
    const { auth } = buildApp(baseOptions({ redis: redis.client, keyPrefix }))
    const code = await issue(auth)
    const { createHmac } = await import('node:crypto')
    const digest = createHmac('sha256', TEST_AT_REST_KEY).update(code).digest().subarray(0, 16).toString('base64url')
    const tag = code.slice(0, 2)
    expect(await keysUnder(redis.client, keyPrefix)).to.deep.equal([`${keyPrefix}{${tag}}code:${tag}${digest}`])
  })

  it('refuses a client pool with durability: its WAIT may go out on another connection than the write, and acknowledge nothing', async () => {
    const pool = createClientPool({ url: redisUrl() })
    const durability = { replicas: 1, timeoutMs: 100 }
    expect(() => new RedisStore({ client: pool, durability })).to.throw(TypeError, /client pool .* WAIT on another connection/)
    expect(() => buildApp(baseOptions({ redis: pool, durability }))).to.throw(TypeError, /client pool/)
    expect(() => new RedisStore({ client: pool })).not.to.throw()
  })
})
