import { StoreUnavailableError } from '../errors/problems.js'
import { orUnavailable, type SendRedisCommand } from './redis-commands.js'

/** How many replicas must have a write that single use or revocation depends on, and how long to wait for them. */
export interface Durability {
  /** Replicas that must acknowledge the write. */
  replicas: number
  /** Milliseconds to wait for them; the connection waits too, so keep it short. */
  timeoutMs: number
}

/**
 * Waits, after a write that single use or revocation depends on, until `replicas` replicas
 * acknowledged every write of this connection so far (Redis `WAIT`, sent to the node that holds
 * `key`), so that a failover to a replica cannot bring a consumed or revoked code, a signature
 * claim, an idempotent answer or spent passcode guesses back. Fewer acknowledgements in time is a
 * 503: the write stands on the master, and the caller is told nothing it may rely on.
 * @see https://redis.io/docs/latest/commands/wait/
 * @throws StoreUnavailableError when too few replicas acknowledged in time.
 */
export function durableWrites(send: SendRedisCommand, durability: Durability | undefined): (key: string) => Promise<void> {
  if (!durability) return async () => undefined
  const { replicas, timeoutMs } = durability
  const command = ['WAIT', String(replicas), String(timeoutMs)]
  return async function afterWrite(key) {
    const acknowledged = Number(await orUnavailable(send({ key, isReadOnly: false, command, extraMs: timeoutMs })))
    if (!(acknowledged >= replicas)) {
      throw new StoreUnavailableError(new Error(`${acknowledged} of ${replicas} replicas acknowledged the write within ${timeoutMs} ms`))
    }
  }
}

/**
 * {@link durableWrites} after writes to several keys: one `WAIT` on a single server or Sentinel
 * master (it covers every earlier write of the connection), one per hash slot of the keys on a
 * Redis Cluster, whose slots may live on different masters.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
export function durableWritesTo(afterWrite: (key: string) => Promise<void>, cluster: boolean): (keys: readonly string[]) => Promise<void> {
  // A key's slot is decided by what its first `{…}` holds: keys with the same tag share a master.
  const slotOf = (key: string) => (cluster ? (/\{([^}]*)\}/.exec(key)?.[1] ?? key) : '')
  return async function afterWrites(keys) {
    const onePerSlot = new Map(keys.map((key) => [slotOf(key), key]))
    await Promise.all([...onePerSlot.values()].map(afterWrite))
  }
}
