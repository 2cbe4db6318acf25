import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, type RedisClientOptions } from 'redis'
import type { TestCluster } from './redis-cluster.js'
import { RedisServer } from './redis-server.js'
import { redisUrl } from './root-hooks.js'

/** Client options on top of the server's URL. */
export type TestRedisClientOptions = Omit<RedisClientOptions, 'url'>

const connect = (url: string, options: TestRedisClientOptions = {}) => createClient({ ...options, url })
export type TestRedis = ReturnType<typeof connect>

/** A connected client on the test Redis; close it in `after`. Connection errors are left to the code under test. */
export async function connectRedis(url = redisUrl(), options: TestRedisClientOptions = {}): Promise<TestRedis> {
  const client = connect(url, options)
  client.on('error', () => undefined)
  await client.connect()
  return client
}

/** A key prefix no other test uses, so tests on a shared Redis never see each other's keys. */
export function uniquePrefix(): string {
  return `t:${randomUUID().slice(0, 8)}:`
}

const isCluster = (client: TestRedis | TestCluster): client is TestCluster => 'nodeClient' in client

/** Every key under `prefix`, on a standalone server or on every master of a cluster. */
export async function keysUnder(client: TestRedis | TestCluster, prefix: string): Promise<string[]> {
  const scan = { MATCH: `${prefix}*`, COUNT: 1000 }
  const keys: string[] = []
  if (isCluster(client)) {
    for (const master of client.masters) for await (const batch of (await client.nodeClient(master)).scanIterator(scan)) keys.push(...batch)
  } else {
    for await (const batch of client.scanIterator(scan)) keys.push(...batch)
  }
  return keys
}

/** Options of {@link useTestRedis}. */
export interface TestRedisOptions {
  /**
   * Starts a redis-server of the `describe`'s own instead of using the one every test shares:
   * for tests that stop or freeze it. `persistent` writes through to disk (AOF, fsync always) in
   * a temporary directory, so a killed server comes back with what it held. `args` are more
   * redis-server arguments, e.g. `['--maxmemory-policy', 'allkeys-lru']`.
   */
  ownServer?: { persistent?: boolean; args?: string[] }
  /** Client options, e.g. the client settings under test. */
  client?: TestRedisClientOptions
}

/** What {@link useTestRedis} hands a test file. Read it in hooks and tests, not while mocha collects them. */
export interface UsedRedis {
  /** A client connected for the whole `describe`. */
  readonly client: TestRedis
  /**
   * A key prefix no other test uses: a new one for each test (and one for `before` hooks), so an
   * app built with it sees only its test's keys. Call {@link uniquePrefix} for a second one.
   */
  readonly prefix: string
  /** The server of {@link TestRedisOptions.ownServer}. */
  readonly server: RedisServer
}

/**
 * Registers mocha hooks in the calling `describe` that connect a client to the test Redis (or
 * start a server of its own first) before its tests and close everything after them.
 */
export function useTestRedis(options: TestRedisOptions = {}): UsedRedis {
  let client: TestRedis | undefined
  let server: RedisServer | undefined
  let dir: string | undefined
  let prefix: string | undefined

  before(async function () {
    this.timeout(15_000)
    prefix = uniquePrefix()
    if (options.ownServer) {
      const args: string[] = [...(options.ownServer.args ?? [])]
      if (options.ownServer.persistent) {
        dir = mkdtempSync(join(tmpdir(), 'authcode-redis-'))
        args.push('--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir)
      }
      server = await RedisServer.start(args)
    }
    client = await connectRedis(server?.url ?? redisUrl(), options.client)
  })
  beforeEach(() => {
    prefix = uniquePrefix()
  })
  after(async () => {
    await client?.close().catch(() => undefined)
    await server?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
    client = server = dir = undefined
  })

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the test Redis ${what} is read before its before hook ran`)
    return value
  }
  return {
    get client() {
      return ready(client, 'client')
    },
    get prefix() {
      return ready(prefix, 'prefix')
    },
    get server() {
      if (!options.ownServer) throw new Error("useTestRedis() was called without ownServer: the shared server is not the test's to stop")
      return ready(server, 'server')
    },
  }
}
