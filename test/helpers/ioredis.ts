import { once } from 'node:events'
import { Redis, Cluster } from 'ioredis'

/** An ioredis client on `url`, ready; errors are left to the code under test. Close it with `quit()`. */
export async function connectIoredis(url: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true })
  client.on('error', () => undefined)
  await client.connect()
  return client
}

/** An ioredis Cluster discovering the cluster from `rootNodes`, ready. Close it with `quit()`. */
export async function connectIoredisCluster(rootNodes: Array<{ url: string }>): Promise<Cluster> {
  const cluster = new Cluster(
    rootNodes.map(({ url }) => {
      const { hostname, port } = new URL(url)
      return { host: hostname, port: Number(port) }
    }),
  )
  cluster.on('error', () => undefined)
  if (cluster.status !== 'ready') await once(cluster, 'ready')
  return cluster
}

/** An ioredis client that finds the master `name` through `sentinels`, ready, as a host would pass it as `redis`. */
export async function connectIoredisSentinel(sentinels: Array<{ host: string; port: number }>, name: string): Promise<Redis> {
  const client = new Redis({ sentinels, name, lazyConnect: true })
  client.on('error', () => undefined)
  await client.connect()
  return client
}
