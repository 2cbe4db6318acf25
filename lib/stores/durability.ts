import { StoreUnavailableError } from '../errors/problems.js'
import { orUnavailable, type SendRedisCommand } from './redis-commands.js'

/** How many replicas must have a write that single use depends on, and how long to wait for them. */
export interface Durability {
  /** Replicas that must acknowledge the write. */
  replicas: number
  /** Milliseconds to wait for them; the connection waits too, so keep it short. */
  timeoutMs: number
}

/**
 * Waits, after a write that single use depends on, until `replicas` replicas acknowledged every
 * write of this connection so far (Redis `WAIT`, sent to the node that holds `key`), so that a
 * failover to a replica cannot bring a consumed code, a signature claim or an idempotent answer
 * back. Fewer acknowledgements in time is a 503: the write stands on the master, and the caller
 * is told nothing it may rely on.
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
