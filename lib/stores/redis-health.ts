import type { StoreHealth } from '../../types/health.js'
import { isRedisCluster, type SendRedisCommand } from './redis-commands.js'

/** One field of an `INFO` section (`name:value` lines), or `undefined` when the reply has none. */
function infoField(reply: unknown, name: string): string | undefined {
  return new RegExp(`^${name}:(.*?)\\r?$`, 'm').exec(String(reply))?.[1]
}

/**
 * Redis' health: `PING` (reachability and round-trip latency), `INFO memory`
 * (`maxmemory_policy`) and `INFO replication` (`connected_slaves`), sent together. Managed
 * Redis services allow `INFO`; one that refuses it leaves the policy and replicas unknown,
 * which is not a failure. Not ok when `PING` fails or the policy evicts. On a cluster, the
 * commands go to one node. Never rejects.
 * @see https://redis.io/docs/latest/commands/info/
 * @see https://redis.io/docs/latest/develop/reference/eviction/
 */
export async function redisHealth(send: SendRedisCommand): Promise<StoreHealth> {
  const started = performance.now()
  const ping = send({ isReadOnly: true, command: ['PING'] }).then(() => performance.now() - started)
  const [latency, memory, replication] = await Promise.allSettled([
    ping,
    send({ isReadOnly: true, command: ['INFO', 'memory'] }),
    send({ isReadOnly: true, command: ['INFO', 'replication'] }),
  ])
  if (latency.status === 'rejected') return { ok: false, latencyMs: performance.now() - started }
  const evictionPolicy = memory.status === 'fulfilled' ? infoField(memory.value, 'maxmemory_policy') : undefined
  const slaves = replication.status === 'fulfilled' ? infoField(replication.value, 'connected_slaves') : undefined
  return {
    ok: evictionPolicy === undefined || evictionPolicy === 'noeviction',
    latencyMs: latency.value,
    ...(evictionPolicy === undefined ? {} : { evictionPolicy }),
    ...(slaves === undefined || !/^\d+$/.test(slaves) ? {} : { replicas: Number(slaves) }),
  }
}

interface EventSource {
  on(event: string, listener: () => void): unknown
}

/** Listeners per connection, held weakly: a store that is gone stops listening without ever removing anything. */
const readyListeners = new WeakMap<object, Set<WeakRef<() => void>>>()

/**
 * Calls `listener` whenever a node-redis connection is ready after (re)connecting: `ready` of
 * a client or Sentinel, `node-ready` of a cluster. One listener per connection however many
 * stores use it, so routers built on one client never pile up listeners on it; the caller
 * keeps `listener` alive for as long as it wants it called.
 */
export function onRedisReady(client: unknown, listener: () => void): void {
  if (typeof client !== 'object' || client === null || typeof (client as Partial<EventSource>).on !== 'function') return
  let listeners = readyListeners.get(client)
  if (listeners === undefined) {
    const set = new Set<WeakRef<() => void>>()
    listeners = set
    readyListeners.set(client, set)
    ;(client as EventSource).on(isRedisCluster(client) ? 'node-ready' : 'ready', () => {
      for (const ref of set) {
        const live = ref.deref()
        if (live === undefined) set.delete(ref)
        else live()
      }
    })
  }
  listeners.add(new WeakRef(listener))
}
