import { expect } from 'chai'
import { Cluster, type Redis } from 'ioredis'
import { RedisStore } from '../lib/index.js'
import { buildApp } from './helpers/app.js'
import { codesOptions, postCodes } from './helpers/codes.js'
import { slugOf } from './helpers/http.js'
import { connectIoredis } from './helpers/ioredis.js'
import { uniquePrefix } from './helpers/redis.js'
import { redisUrl } from './helpers/root-hooks.js'
import { ioredisSuite } from './ioredis-suite.js'

describe('on an ioredis client (new Redis())', () => {
  let client: Redis
  before(async () => {
    client = await connectIoredis(redisUrl())
  })
  after(async () => {
    await client?.quit()
  })

  ioredisSuite(() => client)

  it('sends the WAIT of durability on an ioredis client, and answers 503 when no replica acknowledges in time', async () => {
    // The test Redis has no replica (the Sentinel suite shows WAIT acknowledged by one, over ioredis too).
    const { app } = buildApp(codesOptions({ redis: client, keyPrefix: uniquePrefix(), durability: { replicas: 1, timeoutMs: 50 } }))
    const res = await postCodes(app, { external_user_id: 'u1' })
    expect(res.status).to.equal(503)
    expect(slugOf(res.body)).to.equal('store-unavailable')
  })

  it('refuses durability on an ioredis Cluster, whose WAIT would go to any node, before connecting anywhere', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true })
    expect(() => new RedisStore({ client: cluster, durability: { replicas: 1, timeoutMs: 100 } })).to.throw(
      TypeError,
      /ioredis Cluster .* WAIT/,
    )
    expect(() => new RedisStore({ client: cluster })).not.to.throw()
    expect(cluster.status).to.equal('wait')
  })
})
