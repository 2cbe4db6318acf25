// Compiled only (strict, skipLibCheck off): every Redis connection the README names fits the `redis` option as a host would pass it.
import { Cluster, Redis } from 'ioredis'
import { createClient, createCluster, createSentinel } from 'redis'
import type { AuthcodeOptions } from 'express-authcode'

type RedisOption = NonNullable<AuthcodeOptions['redis']>

export const connections: RedisOption[] = [
  createClient(),
  createCluster({ rootNodes: [] }),
  createSentinel({ name: 'authcode', sentinelRootNodes: [] }),
  new Redis({ lazyConnect: true }),
  new Redis({ sentinels: [{ host: '127.0.0.1', port: 26379 }], name: 'authcode', lazyConnect: true }),
  new Cluster([], { lazyConnect: true }),
]
