import { createClient } from 'redis'

const connect = (url: string) => createClient({ url })
/** The node-redis client every bench process uses. */
export type BenchRedis = ReturnType<typeof connect>

/** A connected client; bench processes exit on a lost connection rather than measure a broken run. */
export async function connectRedis(url: string): Promise<BenchRedis> {
  const client = connect(url)
  client.on('error', (err: Error) => {
    console.error(`redis: ${err.message}`)
    process.exit(1)
  })
  await client.connect()
  return client
}

/** Calls per command name, from `INFO commandstats`. */
export type CommandCalls = Map<string, number>

/** Reads how often Redis has run each command so far. */
export async function commandCalls(client: BenchRedis): Promise<CommandCalls> {
  const info = await client.info('commandstats')
  const calls: CommandCalls = new Map()
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1] as string, Number(match[2]))
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

/**
 * Wraps a client so that each request it sends to Redis is counted: a command, a script call
 * or a whole MULTI … EXEC transaction is one round trip. INFO commandstats cannot tell these
 * apart, as it also counts the commands a Lua script or a transaction runs inside Redis.
 */
export function countRoundTrips(client: BenchRedis): { client: BenchRedis; roundTrips: () => number } {
  let count = 0
  const counted = <T extends object>(target: T): T => {
    const proxy: T = new Proxy(target, {
      get(raw, prop) {
        const value: unknown = Reflect.get(raw, prop, raw)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          const result: unknown = value.apply(raw, args)
          if (result instanceof Promise) count++
          // A transaction's queued commands travel with its exec(), which the wrapper counts.
          else if (prop === 'multi') return counted(result as object)
          return result === raw ? proxy : result
        }
      },
    })
    return proxy
  }
  return { client: counted(client), roundTrips: () => count }
}
