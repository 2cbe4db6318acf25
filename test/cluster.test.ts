import type { Cluster } from 'ioredis'
import { RedisStore } from '../lib/index.js'
import { approvalStoreContract } from './approval-store-contract.js'
import { canStartCluster, connectCluster, RedisCluster, type TestCluster } from './helpers/redis-cluster.js'
import { connectIoredisCluster } from './helpers/ioredis.js'
import { uniquePrefix } from './helpers/redis.js'
import { ioredisSuite } from './ioredis-suite.js'
import { processSuite } from './process-suite.js'
import { refreshProcessSuite } from './refresh-process-suite.js'
import { refreshStoreContract } from './refresh-store-contract.js'
import { onRealTime, storeContract } from './store-contract.js'

describe('on a 3-master Redis Cluster (createCluster)', function () {
  let cluster: RedisCluster
  let client: TestCluster

  before(async function () {
    if (!canStartCluster()) this.skip()
    this.timeout(60_000)
    cluster = await RedisCluster.start()
    client = await connectCluster(cluster.rootNodes)
  })
  after(async () => {
    await client?.close()
    await cluster?.stop()
  })

  describe('RedisStore', () => {
    storeContract(() => onRealTime(new RedisStore({ client, prefix: uniquePrefix() })))

    describe('refresh tokens', () => {
      refreshStoreContract(() => onRealTime(new RedisStore({ client, prefix: uniquePrefix() })))
    })

    describe('cross-device approvals', () => {
      approvalStoreContract(() => new RedisStore({ client, prefix: uniquePrefix() }))
    })
  })

  describe('an ioredis Cluster (new Redis.Cluster())', () => {
    let ioredis: Cluster
    before(async () => {
      ioredis = await connectIoredisCluster(cluster.rootNodes)
    })
    after(async () => {
      await ioredis?.quit()
    })
    ioredisSuite(() => ioredis)
  })

  describe('4 app processes', () => {
    const onCluster = () => ({
      env: { REDIS_CLUSTER_URLS: cluster.rootNodes.map((n) => n.url).join(',') },
      connect: () => connectCluster(cluster.rootNodes),
    })
    processSuite(onCluster)

    describe('refresh tokens', () => {
      refreshProcessSuite(onCluster)
    })
  })
})
