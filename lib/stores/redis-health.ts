import type { StoreHealth, StoreProblem } from '../../types/health.js'
import { isIoredis, isRedisCluster, type SendRedisCommand } from './redis-commands.js'

/** One field of an `INFO` section (`name:value` lines), or `undefined` when the reply has none. */
function infoField(reply: unknown, name: string): string | undefined {
  return new RegExp(`^${name}:(.*?)\\r?$`, 'm').exec(String(reply))?.[1]
}

/** The fix an evicting Redis needs. */
const EVICTION_FIX = 'CONFIG SET maxmemory-policy noeviction'

const replicasOf = (count: number) => `${count} ${count === 1 ? 'replica' : 'replicas'}`

/** What makes a Redis that answers unsafe for single use; unknown facts make no problem. */
function problemsOf(evictionPolicy: string | undefined, replicas: number | undefined, required: number | undefined): StoreProblem[] {
  const problems: StoreProblem[] = []
  if (evictionPolicy !== undefined && evictionPolicy !== 'noeviction') {
    problems.push({
      code: 'evicting-policy',
      reason:
        'an evicting Redis forgets consumed markers, signature claims and idempotency records, so a used code or a signed request could be accepted again',
      fix: EVICTION_FIX,
    })
  }
  if (required !== undefined && replicas !== undefined && replicas < required) {
    problems.push({
      code: 'too-few-replicas',
      reason: `durability waits for ${replicasOf(required)} to acknowledge each write single use depends on, and ${replicas} connected: every such write (a redemption, a revocation, an idempotent POST /codes) answers 503`,
      fix: `connect ${replicasOf(required - replicas)} more to the primary (REPLICAOF <primary host> <port> on each), or lower durability.replicas`,
    })
  }
  return problems
}

/**
 * Redis' health: `PING` (reachability and round-trip latency), `INFO memory`
 * (`maxmemory_policy`) and `INFO replication` (`connected_slaves`), sent together. Managed
 * Redis services allow `INFO`; one that refuses it leaves the policy and replicas unknown,
 * which is not a failure. Not ok when `PING` fails, the policy evicts, or fewer replicas are
 * connected than `replicasRequired` (what `durability` waits for); each problem comes with its
 * reason and fix. On a cluster, the commands go to one node. Never rejects.
 * @see https://redis.io/docs/latest/commands/info/
 * @see https://redis.io/docs/latest/develop/reference/eviction/
 * @see https://redis.io/docs/latest/commands/wait/
 */
export async function redisHealth(send: SendRedisCommand, replicasRequired?: number): Promise<StoreHealth> {
  const started = performance.now()
  const ping = send({ isReadOnly: true, command: ['PING'] }).then(() => performance.now() - started)
  const [latency, memory, replication] = await Promise.allSettled([
    ping,
    send({ isReadOnly: true, command: ['INFO', 'memory'] }),
    send({ isReadOnly: true, command: ['INFO', 'replication'] }),
  ])
  const required = replicasRequired === undefined ? {} : { replicasRequired }
  if (latency.status === 'rejected') return { ok: false, latencyMs: performance.now() - started, ...required }
  const evictionPolicy = memory.status === 'fulfilled' ? infoField(memory.value, 'maxmemory_policy') : undefined
  const slaves = replication.status === 'fulfilled' ? infoField(replication.value, 'connected_slaves') : undefined
  const replicas = slaves !== undefined && /^\d+$/.test(slaves) ? Number(slaves) : undefined
  const problems = problemsOf(evictionPolicy, replicas, replicasRequired)
  return {
    ok: problems.length === 0,
    latencyMs: latency.value,
    ...(evictionPolicy === undefined ? {} : { evictionPolicy }),
    ...(replicas === undefined ? {} : { replicas }),
    ...required,
    ...(problems.length === 0 ? {} : { problems }),
  }
}

interface EventSource {
  on(event: string, listener: () => void): unknown
}

/** Listeners per connection, held weakly: a store that is gone stops listening without ever removing anything. */
const readyListeners = new WeakMap<object, Set<WeakRef<() => void>>>()

/**
 * Calls `listener` whenever a connection is ready after (re)connecting: `ready` of a node-redis
 * client or Sentinel and of any ioredis connection, `node-ready` of a node-redis cluster. One
 * listener per connection however many stores use it, so routers built on one client never pile
 * up listeners on it; the caller keeps `listener` alive for as long as it wants it called.
 */
export function onRedisReady(client: unknown, listener: () => void): void {
  if (typeof client !== 'object' || client === null || typeof (client as Partial<EventSource>).on !== 'function') return
  let listeners = readyListeners.get(client)
  if (listeners === undefined) {
    const set = new Set<WeakRef<() => void>>()
    listeners = set
    readyListeners.set(client, set)
    ;(client as EventSource).on(isRedisCluster(client) && !isIoredis(client) ? 'node-ready' : 'ready', () => {
      for (const ref of set) {
        const live = ref.deref()
        if (live === undefined) set.delete(ref)
        else live()
      }
    })
  }
  listeners.add(new WeakRef(listener))
}
