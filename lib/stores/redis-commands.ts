import { createHash } from 'node:crypto'
import { StoreUnavailableError } from '../errors/problems.js'

/** One raw command and the key that routes it on a cluster. */
export interface RedisCommand {
  key?: string
  isReadOnly: boolean
  command: string[]
  /** Milliseconds this command may take beyond the usual deadline (a blocking `WAIT`). */
  extraMs?: number
}

/** Reply types of the raw commands this library sends. */
export type RedisReply = boolean | number | string | null | Array<boolean | number | string>

/** Sends one raw command to whatever kind of node-redis or ioredis connection the host gave. */
export type SendRedisCommand = (command: RedisCommand) => Promise<RedisReply>

interface StandaloneLike {
  sendCommand(args: string[], options?: object): Promise<unknown>
}
interface ClusterLike {
  masters: unknown
  sendCommand(key: string | undefined, readOnly: boolean, args: string[], options?: object): Promise<unknown>
}
interface SentinelLike {
  getSentinelNode: unknown
  sendCommand(readOnly: boolean, args: string[], options?: object): Promise<unknown>
}

interface IoredisLike {
  call(command: string, ...args: string[]): Promise<unknown>
}

/**
 * Whether a value is an ioredis (v5+) connection (`new Redis()`, with or without `sentinels`, or
 * `new Redis.Cluster()`): it sends raw commands with `call` and has a connection `status`.
 */
export function isIoredis(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { call?: unknown }).call === 'function' && 'status' in value
}

/**
 * Whether a value is a connection the store can use: an ioredis one ({@link isIoredis}), or a
 * node-redis (v5+) client, cluster or Sentinel, which sends raw commands with `sendCommand` and
 * is a cluster (`masters`), a Sentinel (`getSentinelNode`) or a client (`isOpen`).
 */
export function isRedisConnection(value: unknown): boolean {
  if (isIoredis(value)) return true
  if (typeof value !== 'object' || value === null || typeof (value as { sendCommand?: unknown }).sendCommand !== 'function') return false
  return isRedisCluster(value) || 'getSentinelNode' in value || 'isOpen' in value
}

/**
 * Adapts a node-redis client (`createClient`), cluster (`createCluster`) or Sentinel
 * (`createSentinel`), or an ioredis client or cluster, to one raw-command function. The caller's connection is used as it is:
 * never created, configured or closed here. Each command fails after `timeoutMs`, so a hung
 * Redis fails fast instead of holding the request.
 */
export function redisCommandSender(client: unknown, timeoutMs: number): SendRedisCommand {
  const send = rawSender(client)
  const connection = client as { isReady?: boolean }
  return (command) => {
    const ms = timeoutMs + (command.extraMs ?? 0)
    // node-redis's own timeout (an AbortSignal per command, 5 s unless the client sets another)
    // only takes a command out of its queue while it waits to be written: worth its cost only
    // while the connection is not ready. Our deadline covers the round trip either way.
    return withDeadline(send(command, { timeout: connection.isReady === false ? ms : undefined }), ms)
  }
}

/**
 * Whether `client` is a node-redis pool (`createClientPool`), which sends each command on
 * whichever connection is free: a `WAIT` there may go out on another connection than the write
 * it should cover, and answer at once.
 */
export function isRedisPool(client: unknown): boolean {
  return typeof client === 'object' && client !== null && 'totalClients' in client && 'idleClients' in client
}

/** Whether a connection is a cluster: node-redis' `createCluster` (it has `masters`) or ioredis' `Cluster` (`isCluster`). */
export function isRedisCluster(client: unknown): boolean {
  return typeof client === 'object' && client !== null && ('masters' in client || (client as { isCluster?: unknown }).isCluster === true)
}

/**
 * Why `durability` cannot work on `client`, or `undefined` when it can: Redis `WAIT` counts the
 * writes of the connection it is sent on, and must go to the master that holds the key.
 * - A node-redis pool (`createClientPool`) sends each command on whichever connection is free.
 * - An ioredis Cluster sends a command without keys, as `WAIT` is, to any node.
 * @see https://redis.io/docs/latest/commands/wait/
 */
export function durabilityFault(client: unknown): string | undefined {
  if (isRedisPool(client))
    return 'a client pool (createClientPool) may send the WAIT on another connection than the write, and it would acknowledge nothing. Pass a createClient() client, a Sentinel or a Cluster.'
  if (isIoredis(client) && isRedisCluster(client))
    return "an ioredis Cluster sends a command without keys, as WAIT is, to any node, not to the master of the write. Pass node-redis' createCluster(), or an ioredis client or Sentinel."
  return undefined
}

type RawSender = (command: RedisCommand, options: { timeout: number | undefined }) => Promise<RedisReply>

function rawSender(client: unknown): RawSender {
  // ioredis routes a cluster command by its keys itself (those of EVAL and EVALSHA by their count), and has no per-command timeout.
  if (isIoredis(client)) {
    const ioredis = client as IoredisLike
    return ({ command: [name, ...args] }) => ioredis.call(name as string, ...args) as Promise<RedisReply>
  }
  if (isRedisCluster(client)) {
    const cluster = client as ClusterLike
    return ({ key, isReadOnly, command }, options) => cluster.sendCommand(key, isReadOnly, command, options) as Promise<RedisReply>
  }
  if (typeof client === 'object' && client !== null && 'getSentinelNode' in client) {
    const sentinel = client as SentinelLike
    return ({ isReadOnly, command }, options) => sentinel.sendCommand(isReadOnly, command, options) as Promise<RedisReply>
  }
  const standalone = client as StandaloneLike
  return ({ command }, options) => standalone.sendCommand(command, options) as Promise<RedisReply>
}

/**
 * node-redis's own command `timeout` only covers the wait to be written: a command already on
 * the socket of a Redis that stopped answering waits forever (node-redis 6.3). This deadline
 * covers the whole round trip; the late reply, if any, is dropped.
 */
function withDeadline<T>(pending: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms)
    pending.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (err: unknown) => {
        clearTimeout(timer)
        reject(err instanceof Error ? err : new Error(String(err)))
      },
    )
  })
}

/** Awaits a store operation; any failure of it (connection, timeout, error reply) becomes {@link StoreUnavailableError}. */
export async function orUnavailable<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending
  } catch (err) {
    throw new StoreUnavailableError(err)
  }
}

/**
 * A Lua script sent by SHA (EVALSHA), loaded with EVAL the first time a node does not know it.
 * Every key a script touches is in `keys`, so on a cluster they must share a hash slot.
 */
export class LuaScript {
  readonly sha: string

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex')
  }

  async run(send: SendRedisCommand, keys: string[], args: string[]): Promise<RedisReply> {
    const tail = [String(keys.length), ...keys, ...args]
    try {
      return await send({ key: keys[0], isReadOnly: false, command: ['EVALSHA', this.sha, ...tail] })
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
      return send({ key: keys[0], isReadOnly: false, command: ['EVAL', this.source, ...tail] })
    }
  }

  /**
   * Runs the script by its source (EVAL), in one command that needs no answer to take effect: for
   * a step that must still run when Redis answers it only after its deadline (a hung server that
   * wakes up), where an EVALSHA answered NOSCRIPT too late would be dropped.
   */
  runBySource(send: SendRedisCommand, keys: string[], args: string[]): Promise<RedisReply> {
    return send({ key: keys[0], isReadOnly: false, command: ['EVAL', this.source, String(keys.length), ...keys, ...args] })
  }
}
