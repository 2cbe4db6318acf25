import { createCluster } from 'redis'
import { RedisStore } from '../lib/index.js'
import { canStartCluster, RedisCluster } from './helpers/redis-cluster.js'
import { uniquePrefix } from './helpers/redis.js'
import { processSuite } from './process-suite.js'
import { onRealTime, storeContract } from './store-contract.js'

function connectCluster(cluster: RedisCluster) {
  const client = createCluster({ rootNodes: cluster.rootNodes })
  client.on('error', () => undefined)
  return client.connect()
}

describe('on a 3-master Redis Cluster (createCluster)', function () {
  let cluster: RedisCluster
  let client: Awaited<ReturnType<typeof connectCluster>>

  before(async function () {
    if (!canStartCluster()) this.skip()
    this.timeout(60_000)
    cluster = await RedisCluster.start()
    client = await connectCluster(cluster)
  })
  after(async () => {
    await client?.close()
    await cluster?.stop()
  })

  describe('RedisStore', () => {
    storeContract(() => onRealTime(new RedisStore({ client, prefix: uniquePrefix() })))
  })

  describe('4 app processes', () => {
    processSuite(() => ({
      env: { REDIS_CLUSTER_URLS: cluster.rootNodes.map((n) => n.url).join(',') },
      connect: () => connectCluster(cluster),
    }))
  })
})
