import { AsyncLocalStorage } from 'node:async_hooks'
import type { RequestListener } from 'node:http'
import { createClient, createCluster } from 'redis'

const connect = (url: string) => createClient({ url })
/** The node-redis client every bench process uses. */
export type BenchRedis = ReturnType<typeof connect>

const connectToCluster = (urls: string[]) => createCluster({ rootNodes: urls.map((url) => ({ url })) })
/** A node-redis cluster client, for targets run on a Redis Cluster (`--scale`). */
export type BenchCluster = ReturnType<typeof connectToCluster>

/** What a target's host app is given: a standalone client, or a cluster one. */
export type BenchConnection = BenchRedis | BenchCluster

/** Where a target's Redis is: one server, or the root nodes of a Redis Cluster. */
export type RedisTarget = { url: string } | { cluster: string[] }

const exitOnError = (err: Error) => {
  console.error(`redis: ${err.message}`)
  process.exit(1)
}

/** A connected client; bench processes exit on a lost connection rather than measure a broken run. */
export async function connectRedis(url: string): Promise<BenchRedis> {
  const client = connect(url)
  client.on('error', exitOnError)
  await client.connect()
  return client
}

/** A connected client of a standalone server or of a cluster, as `target` says. */
export async function connectTarget(target: RedisTarget): Promise<BenchConnection> {
  if ('url' in target) return connectRedis(target.url)
  const cluster = connectToCluster(target.cluster)
  cluster.on('error', exitOnError)
  await cluster.connect()
  return cluster
}

/** The client of a scenario that only runs on a standalone server (a cluster client has `masters`). */
export function standalone(redis: BenchConnection): BenchRedis {
  if ('masters' in redis) throw new Error('this scenario runs on a standalone Redis only')
  return redis
}

/** Calls per command name, from `INFO commandstats`. */
export type CommandCalls = Map<string, number>

/** Reads how often Redis has run each command so far; over several servers (the masters of a cluster), the sums. */
export async function commandCalls(nodes: BenchRedis | BenchRedis[]): Promise<CommandCalls> {
  const calls: CommandCalls = new Map()
  for (const node of Array.isArray(nodes) ? nodes : [nodes]) {
    const info = await node.info('commandstats')
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      calls.set(match[1] as string, (calls.get(match[1] as string) ?? 0) + Number(match[2]))
    }
  }
  return calls
}

/** Commands run between two snapshots, leaving out the `INFO` calls that took the snapshots. */
export function commandDelta(before: CommandCalls, after: CommandCalls): CommandCalls {
  const delta: CommandCalls = new Map()
  for (const [name, count] of after) {
    const diff = count - (before.get(name) ?? 0)
    if (diff > 0 && name !== 'info') delta.set(name, diff)
  }
  return delta
}

/** One field of an `INFO` reply's text (`field:value` lines), or `undefined` when it has none. */
export function infoValue(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(\\S+)`, 'm').exec(info)?.[1]
}

/** One numeric field of an `INFO` section. */
export async function infoField(node: BenchRedis, section: string, field: string): Promise<number> {
  const value = infoValue(await node.info(section), field)
  if (value === undefined || Number.isNaN(Number(value))) throw new Error(`INFO ${section} has no numeric ${field}`)
  return Number(value)
}

/**
 * CPU time the server process has used so far (`INFO cpu`: `used_cpu_user` + `used_cpu_sys`),
 * in microseconds: the commands, and also reading requests, writing replies and its timers.
 */
export async function redisCpuMicros(node: BenchRedis): Promise<number> {
  const info = await node.info('cpu')
  const seconds = (field: string) => Number(infoValue(info, field) ?? NaN)
  return Math.round((seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6)
}

/** The Redis commands of one HTTP request: the longest chain of them, each sent after the one before it answered. */
interface RequestWaits {
  /** The longest chain whose last command has answered. */
  answered: number
  /** The longest chain sent so far: the request's round trips. */
  longest: number
}

const requestWaits = new AsyncLocalStorage<RequestWaits>()

/** `handler` with each request's Redis commands counted as that request's own ({@link countRoundTrips}). */
export function countingRequests(handler: RequestListener): RequestListener {
  return (req, res) => requestWaits.run({ answered: 0, longest: 0 }, () => handler(req, res))
}

/**
 * Wraps a client so that the round trips each request waits for are counted: a command sent
 * after another of the request's commands has answered waits one round trip more than that one;
 * commands sent before it answered travel in the same round trip (node-redis writes the commands
 * of one tick together, and a Cluster sends those for different masters in parallel). A
 * request's round trips are its longest such chain, so a pipeline, or a command not waited for
 * beside one that is, adds none. A script call or a whole MULTI … EXEC transaction is one command.
 * INFO commandstats cannot tell any of this, as it also counts the commands a Lua script or a
 * transaction runs inside Redis. Commands outside a request ({@link countingRequests}), such as
 * a run's setup, count one each. `calls` counts every command, waited for or not.
 */
export function countRoundTrips<C extends BenchConnection>(client: C): { client: C; roundTrips: () => number; calls: () => number } {
  let count = 0
  let calls = 0
  const sent = (reply: Promise<unknown>) => {
    calls++
    const waits = requestWaits.getStore()
    if (waits === undefined) {
      count++
      return
    }
    const depth = waits.answered + 1
    if (depth > waits.longest) {
      count += depth - waits.longest
      waits.longest = depth
    }
    // Registered before the caller's own await, so it runs first: a command the caller sends on this answer is one deeper.
    const answered = () => void (waits.answered = Math.max(waits.answered, depth))
    reply.then(answered, answered)
  }
  const counted = <T extends object>(target: T): T => {
    const proxy: T = new Proxy(target, {
      get(raw, prop) {
        const value: unknown = Reflect.get(raw, prop, raw)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          const result: unknown = value.apply(raw, args)
          if (result instanceof Promise) sent(result)
          // A transaction's queued commands travel with its exec(), which the wrapper counts.
          else if (prop === 'multi') return counted(result as object)
          return result === raw ? proxy : result
        }
      },
    })
    return proxy
  }
  return { client: counted(client), roundTrips: () => count, calls: () => calls }
}
