import { createClient, createSentinel } from 'redis'
import { until } from './clock.js'
import { RedisServer } from './redis-server.js'

/** What the group's sentinels call its master. */
export const SENTINEL_MASTER_NAME = 'authcode'

/**
 * As in test/durability.test.ts: a full sync through an RDB file starts at once (a diskless one
 * waits 5 s for more replicas), also when a failover points the other replica at the new master.
 */
const REPLICATION = ['--repl-diskless-sync', 'no']

/** Options of {@link RedisSentinelGroup.start}. */
export interface SentinelGroupOptions {
  /** Replicas of the master. @default 2 */
  replicas?: number
  /** Sentinels watching it, a majority of which must agree on a failover. @default 3 */
  sentinels?: number
  /** How long the master must not answer before a sentinel thinks it down. @default 1000 */
  downAfterMs?: number
  /** Failover timeout of the sentinels (also how soon they retry a failover that stalled). @default 2000 */
  failoverTimeoutMs?: number
}

/** One command to one node on a connection of its own, closed after the reply. */
async function ask(port: number, args: string[]): Promise<unknown> {
  const client = createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 1000, reconnectStrategy: false } })
  client.on('error', () => undefined)
  await client.connect()
  try {
    return await client.sendCommand(args)
  } finally {
    client.destroy()
  }
}

/** A flat `[field, value, …]` reply (or a RESP3 map) as an object of strings. */
function fields(reply: unknown): Record<string, string> {
  if (reply instanceof Map) return Object.fromEntries([...reply].map(([k, v]) => [String(k), String(v)]))
  if (!Array.isArray(reply)) return Object.fromEntries(Object.entries(reply as object).map(([k, v]) => [k, String(v)]))
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1])
  return out
}

/** A field of `INFO replication`. */
async function replicationField(port: number, name: string): Promise<string | undefined> {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(String(await ask(port, ['INFO', 'replication'])))?.[1]?.trim()
}

/**
 * A throw-away Sentinel group on free loopback ports: a master, its replicas and the
 * `redis-server --sentinel` processes watching it, each with a directory of its own. Every
 * process is stopped by PID.
 */
export class RedisSentinelGroup {
  private constructor(
    /** The data nodes, the first of them the master the group started with. */
    readonly servers: RedisServer[],
    readonly sentinels: RedisServer[],
  ) {}

  static async start(options: SentinelGroupOptions = {}): Promise<RedisSentinelGroup> {
    const { replicas = 2, sentinels = 3, downAfterMs = 1000, failoverTimeoutMs = 2000 } = options
    const group = new RedisSentinelGroup([], [])
    try {
      const master = await RedisServer.start(REPLICATION)
      group.servers.push(master)
      for (let i = 0; i < replicas; i++) {
        group.servers.push(await RedisServer.start([...REPLICATION, '--replicaof', '127.0.0.1', String(master.port)]))
      }
      await until('the replicas to sync', async () => {
        const info = String(await ask(master.port, ['INFO', 'replication']))
        return (info.match(/^slave\d+:.*state=online/gm) ?? []).length === replicas
      })
      const quorum = Math.floor(sentinels / 2) + 1
      for (let i = 0; i < sentinels; i++) {
        const sentinel = await RedisServer.startSentinel()
        group.sentinels.push(sentinel)
        await ask(sentinel.port, ['SENTINEL', 'MONITOR', SENTINEL_MASTER_NAME, '127.0.0.1', String(master.port), String(quorum)])
        await ask(sentinel.port, [
          'SENTINEL',
          'SET',
          SENTINEL_MASTER_NAME,
          'down-after-milliseconds',
          String(downAfterMs),
          'failover-timeout',
          String(failoverTimeoutMs),
          'parallel-syncs',
          '1',
        ])
      }
      // Sentinels find the replicas in the master's INFO and each other through its hello channel
      // (every 2 s): a failover needs a majority of them to know each other.
      await until(
        'the sentinels to know the replicas and each other',
        async () => {
          for (const sentinel of group.sentinels) {
            const state = fields(await ask(sentinel.port, ['SENTINEL', 'MASTER', SENTINEL_MASTER_NAME]))
            if (state['num-slaves'] !== String(replicas) || state['num-other-sentinels'] !== String(sentinels - 1)) return false
            if (!String(await ask(sentinel.port, ['SENTINEL', 'CKQUORUM', SENTINEL_MASTER_NAME])).startsWith('OK')) return false
          }
          return true
        },
        15_000,
      )
      return group
    } catch (err) {
      await group.stop()
      throw err
    }
  }

  /** Where a `createSentinel()` client starts. */
  get sentinelRootNodes(): Array<{ host: string; port: number }> {
    return this.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port }))
  }

  /** The data node the sentinels (the first that answers) call master now. */
  async master(): Promise<RedisServer> {
    for (const sentinel of this.sentinels) {
      try {
        const [, port] = (await ask(sentinel.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME])) as string[]
        const server = this.servers.find((s) => String(s.port) === String(port))
        if (server) return server
      } catch {
        // The next sentinel may answer.
      }
    }
    throw new Error('no sentinel named a master')
  }

  /** One command to `server`, on a connection of its own. */
  command(server: RedisServer, args: string[]): Promise<unknown> {
    return ask(server.port, args)
  }

  /**
   * Makes the replicas fall behind `master` for good: freezes them (SIGSTOP) and has the master
   * drop their links, so nothing it writes from now on reaches them; a replica that gets its
   * link back asks for what it missed. Their data stops at the cut; `resume()` them (SIGCONT)
   * once the master is gone. A freeze shorter than `down-after-milliseconds` leaves them eligible
   * for promotion.
   */
  async cutReplicas(master: RedisServer): Promise<RedisServer[]> {
    const replicas = this.servers.filter((s) => s !== master && s.pid !== undefined)
    for (const replica of replicas) replica.pause()
    await ask(master.port, ['CLIENT', 'KILL', 'TYPE', 'replica'])
    return replicas
  }

  /**
   * Waits until every sentinel names another master than `old`, that master says it is one, and
   * `replicas` replicas are online with it.
   */
  async untilFailedOver(old: RedisServer, replicas = 1, ms = 20_000): Promise<RedisServer> {
    let promoted: RedisServer | undefined
    await until(
      'the sentinels to promote a replica',
      async () => {
        const named = new Set<string>()
        for (const sentinel of this.sentinels) {
          const [, port] = (await ask(sentinel.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME])) as string[]
          named.add(String(port))
        }
        const [port] = named
        promoted = this.servers.find((s) => String(s.port) === port)
        if (named.size !== 1 || !promoted || promoted === old) return false
        if ((await replicationField(promoted.port, 'role')) !== 'master') return false
        const info = String(await ask(promoted.port, ['INFO', 'replication']))
        return (info.match(/^slave\d+:.*state=online/gm) ?? []).length >= replicas
      },
      ms,
    )
    return promoted as RedisServer
  }

  /** Stops every sentinel and data node by PID, and removes their directories. */
  async stop(): Promise<void> {
    await Promise.all([...this.sentinels, ...this.servers].map((s) => s.stop()))
  }
}

/**
 * A connected `createSentinel()` client of the group, as a host would pass it as `redis`.
 * Errors are left to the code under test.
 */
export async function connectSentinel(group: RedisSentinelGroup) {
  const client = createSentinel({ name: SENTINEL_MASTER_NAME, sentinelRootNodes: group.sentinelRootNodes })
  client.on('error', () => undefined)
  return client.connect()
}
export type TestSentinel = Awaited<ReturnType<typeof connectSentinel>>
