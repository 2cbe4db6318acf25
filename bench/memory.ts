import { setTimeout as sleep } from 'node:timers/promises'
import { RedisServer } from '../test/helpers/redis-server.js'
import { KEY_PREFIX as PREFIX } from './hosts/authcode-host.js'
import { connectRedis, infoField, infoValue, type BenchRedis } from './redis.js'
import type { RpcChild } from './rpc.js'
import type { Scenario } from './scenario.js'
import { issuingScenarios } from './scenarios/index.js'
import { Target, type Bench } from './target.js'

/** Requests sent before the measured ones, so scripts are loaded and connections are warm. */
const WARMUP_REQUESTS = 200
/** Keys of each kind whose `MEMORY USAGE` is averaged. */
const SAMPLE_PER_KIND = 1000
/** Keys per DEL when the idempotency records are deleted. */
const DELETE_BATCH = 100
/** The kind of key (the word after the prefix and hash tag) that holds an idempotency record. */
const IDEMPOTENCY_KIND = 'idem'

/** Keys of one kind (`code`, `idem`, …) a scenario left in Redis. */
export interface KeyKind {
  /** Keys of this kind per issuance. */
  perIssuance: number
  /** Mean `MEMORY USAGE` of a sample of them: value, key name and keyspace entry, not the expiry entry. */
  memoryUsage: number
  sampled: number
  /** The TTL they were given, in whole seconds (the longest TTL left plus the time since the last response). */
  ttlSeconds: number | null
}

/** One line of the `--memory` results. `bytesPerIssuance` is null for a skipped scenario. */
export interface MemoryRow {
  name: string
  bytesPerIssuance: number | null
  skipped?: true
  /** Why it was skipped. */
  reason?: string
  /** Requests answered with the scenario's status; the bytes are divided by them. */
  issuances?: number
  keysPerIssuance?: number
  /** `used_memory` of the empty keyspace, with the target connected, before the run. */
  emptyKeyspaceBytes?: number
  /** Growth of `used_memory` over the run, in bytes. */
  usedMemoryGrowth?: number
  /** Change of the replication backlog (`mem_replication_backlog`) meanwhile, left out of `bytesPerIssuance`. */
  replicationBacklogChange?: number
  /** What the keys of each kind take, by the word after the prefix (and hash tag): `code`, `idem`, … */
  keys?: Record<string, KeyKind>
  /** `POST /codes`: mean `MEMORY USAGE` of a code key. */
  codeKeyBytes?: number
  /** `POST /codes`: mean `MEMORY USAGE` of an idempotency key. */
  idempotencyKeyBytes?: number
  /**
   * Bytes Redis holds at a steady rate of one issuance per second: each kind's share of
   * `bytesPerIssuance` (its `MEMORY USAGE`, plus the keyspace overhead split evenly over the
   * keys) times its TTL.
   */
  steadyStateBytesPerIssuancePerSecond?: number
}

/** What `--memory` measured, and the server it measured on. */
export interface MemoryReport {
  rows: MemoryRow[]
  redisVersion: string
  allocator: string
}

/** The kind of a library key: the word after the prefix and the optional `{hash tag}`, e.g. `code` or `idem`. */
function kindOf(key: string): string {
  const match = /^(?:\{[^}]*\})?([^:{]+)/.exec(key.startsWith(PREFIX) ? key.slice(PREFIX.length) : key)
  return key.startsWith(PREFIX) ? (match?.[1] ?? key) : `(not ${PREFIX}) ${match?.[1] ?? key}`
}

/**
 * `used_memory` once it stopped moving: the same value on five reads 200 ms apart. After a burst,
 * Redis shrinks client buffers and finishes rehashing in its timers for a moment.
 */
async function settledUsedMemory(redis: BenchRedis): Promise<number> {
  let last = -1
  let same = 0
  for (let read = 0; read < 150; read++) {
    const now = await infoField(redis, 'memory', 'used_memory')
    same = now === last ? same + 1 : 0
    last = now
    if (same === 4) return now
    await sleep(200)
  }
  console.warn(`warning: used_memory did not settle within 30 s; last read ${last}`)
  return last
}

/** Every key in the server, by kind. */
async function keysByKind(redis: BenchRedis): Promise<Map<string, string[]>> {
  const kinds = new Map<string, string[]>()
  for await (const batch of redis.scanIterator({ COUNT: 1000 })) {
    for (const key of batch) {
      const kind = kindOf(key)
      const keys = kinds.get(kind) ?? []
      kinds.set(kind, keys)
      keys.push(key)
    }
  }
  return kinds
}

/** The longest TTL left among `keys`, in milliseconds (null if none has one). */
async function longestTtl(redis: BenchRedis, keys: string[]): Promise<number | null> {
  let longest: number | null = null
  for (let i = 0; i < keys.length; i += 1000) {
    for (const ttl of await Promise.all(keys.slice(i, i + 1000).map((key) => redis.pTTL(key))))
      if (ttl >= 0) longest = Math.max(longest ?? 0, ttl)
  }
  return longest
}

async function meanMemoryUsage(redis: BenchRedis, keys: string[]): Promise<number> {
  let total = 0
  for (const key of keys) total += Number(await redis.sendCommand(['MEMORY', 'USAGE', key, 'SAMPLES', '0']))
  return total / Math.max(1, keys.length)
}

const round1 = (value: number) => Math.round(value * 10) / 10

/** Bytes held at one issuance per second: each kind's share of the bytes (MEMORY USAGE plus an even share of the rest) times its TTL. */
function steadyState(bytesPerIssuance: number, kinds: KeyKind[]): number {
  const keysPerIssuance = kinds.reduce((sum, k) => sum + k.perIssuance, 0)
  const measured = kinds.reduce((sum, k) => sum + k.perIssuance * k.memoryUsage, 0)
  const overheadPerKey = keysPerIssuance ? (bytesPerIssuance - measured) / keysPerIssuance : 0
  return Math.round(kinds.reduce((sum, k) => sum + k.perIssuance * (k.memoryUsage + overheadPerKey) * (k.ttlSeconds ?? 0), 0))
}

/**
 * Redis bytes per issuance of each issuing scenario: on a fresh redis-server the bench starts
 * (the host's sessions on a second one), the `used_memory` growth over `issuances` requests
 * through HTTP, divided by the requests that issued a code. Active expiry is off meanwhile
 * (`DEBUG SET-ACTIVE-EXPIRE 0`), so no code outlives its TTL unseen during a slow run.
 */
export async function measureMemory(load: RpcChild, issuances: number, connections: number): Promise<MemoryReport> {
  // The replication backlog (active from the start on Redis 7, though no replica connects) keeps
  // up to repl-backlog-size of the write stream, and used_memory counts it: at its smallest, the
  // warm-up fills it, so it does not grow with the measured requests.
  const backlog = ['--repl-backlog-size', '16kb']
  // Redis 7 refuses DEBUG unless enabled; older servers know no such option and allow it.
  const server = await RedisServer.start(['--enable-debug-command', 'local', ...backlog]).catch(() => RedisServer.start(backlog))
  const sessionServer = await RedisServer.start()
  const redis = await connectRedis(server.url)
  const rows: MemoryRow[] = []
  try {
    await redis.sendCommand(['DEBUG', 'SET-ACTIVE-EXPIRE', '0']).catch((err: Error) => {
      console.warn(`warning: active expiry stays on (${err.message}): codes that expire during a run take their bytes with them`)
    })
    const bench = { load, redis: [redis], connections }
    for (const scenario of issuingScenarios) {
      const target = await Target.start(scenario, { url: server.url }, { sessions: sessionServer.url, noLimits: true })
      try {
        rows.push(...(await measureScenario(scenario, target, bench, redis, issuances)))
      } finally {
        await target.stop()
        await redis.flushAll()
      }
    }
    const info = await redis.info('server')
    const memory = await redis.info('memory')
    return {
      rows,
      redisVersion: infoValue(info, 'redis_version') ?? '?',
      allocator: infoValue(memory, 'mem_allocator') ?? '?',
    }
  } finally {
    await redis.close()
    await server.stop()
    await sessionServer.stop()
  }
}

async function measureScenario(
  scenario: Scenario,
  target: Target,
  bench: Bench,
  redis: BenchRedis,
  issuances: number,
): Promise<MemoryRow[]> {
  const skipped = (reason: string): MemoryRow[] => {
    console.log(`${scenario.name}: skipped, ${reason}`)
    const rows: MemoryRow[] = [{ name: scenario.name, bytesPerIssuance: null, skipped: true, reason }]
    return rows
  }
  if (!(await target.isMounted())) return skipped('the endpoint answers 404 (not mounted in this build)')
  const warm = await target.send(bench, WARMUP_REQUESTS)
  const expected = String(scenario.expectStatus)
  if (!warm.statuses[expected]) {
    if (warm.statuses['400']) return skipped('the body is refused with 400 (not supported by this build)')
    throw new Error(`${scenario.name}: no request answered ${expected}: ${JSON.stringify(warm.statuses)}`)
  }

  await redis.flushAll()
  const prepared = scenario.preparedBeforeMeasuring ? await target.prepare(issuances) : undefined
  // What the fixture left (the families a rotation starts from) is not what the requests add.
  const before = prepared ? await keysByKind(redis) : new Map<string, string[]>()
  const preparedKeys = [...before.values()].reduce((sum, keys) => sum + keys.length, 0)
  const empty = await settledUsedMemory(redis)
  const backlogBefore = await infoField(redis, 'memory', 'mem_replication_backlog')
  const result = await target.send(bench, issuances, prepared)
  const ended = result.lastResponseAt ?? Date.now()
  await sleep(200)
  const used = await settledUsedMemory(redis)
  // The backlog, full since the warm-up, still moves by a block as Redis trims it: not the keys' bytes.
  const backlogChange = (await infoField(redis, 'memory', 'mem_replication_backlog')) - backlogBefore
  const issued = result.statuses[expected] ?? 0
  const others = Object.entries(result.statuses).filter(([status]) => status !== expected)
  if (others.length || result.errors)
    console.warn(`warning: ${scenario.name} got unexpected answers ${JSON.stringify(Object.fromEntries(others))}, ${result.errors} errors`)
  const keyCount = await redis.dbSize()
  const kinds = await keysByKind(redis)
  const keys: Record<string, KeyKind> = {}
  for (const [kind, all] of kinds) {
    const existing = new Set(before.get(kind))
    const names = all.filter((key) => !existing.has(key))
    if (!names.length) continue
    const sample = names.slice(0, SAMPLE_PER_KIND)
    const ttl = await longestTtl(redis, names)
    keys[kind] = {
      perIssuance: names.length < issued / 10 ? names.length / issued : Math.round((names.length / issued) * 1000) / 1000,
      memoryUsage: round1(await meanMemoryUsage(redis, sample)),
      sampled: sample.length,
      ttlSeconds: ttl === null ? null : Math.round((ttl + Date.now() - ended) / 1000),
    }
  }
  const bytesPerIssuance = (used - empty - backlogChange) / issued
  const row: MemoryRow = {
    name: scenario.name,
    bytesPerIssuance: round1(bytesPerIssuance),
    issuances: issued,
    keysPerIssuance: Math.round(((keyCount - preparedKeys) / issued) * 1000) / 1000,
    emptyKeyspaceBytes: empty,
    usedMemoryGrowth: used - empty,
    replicationBacklogChange: backlogChange,
    keys,
    steadyStateBytesPerIssuancePerSecond: steadyState(bytesPerIssuance, Object.values(keys)),
  }
  if (scenario.name === 'POST /codes') {
    row.codeKeyBytes = keys.code?.memoryUsage
    row.idempotencyKeyBytes = keys[IDEMPOTENCY_KIND]?.memoryUsage
  }
  console.log(
    `${scenario.name}: ${row.bytesPerIssuance} bytes per issuance over ${issued} (used_memory ${empty} → ${used}, replication backlog ${backlogChange >= 0 ? '+' : ''}${backlogChange})`,
  )
  const idem = kinds.get(IDEMPOTENCY_KIND)
  if (scenario.name !== 'POST /codes' || !idem) return [row]
  // What the idempotency records alone take: the drop of used_memory when they are deleted. It is
  // read again first, as listing and sampling the keys left a little more in the bench
  // connection's buffers; small DELs keep what deleting leaves there small too.
  const withIdem = await settledUsedMemory(redis)
  const backlogWithIdem = await infoField(redis, 'memory', 'mem_replication_backlog')
  for (let i = 0; i < idem.length; i += DELETE_BATCH) await redis.del(idem.slice(i, i + DELETE_BATCH))
  const withoutIdem = await settledUsedMemory(redis)
  const deleteBacklogChange = (await infoField(redis, 'memory', 'mem_replication_backlog')) - backlogWithIdem
  const perRecord = (withIdem - withoutIdem + deleteBacklogChange) / idem.length
  const kind = keys[IDEMPOTENCY_KIND] as KeyKind
  const record: MemoryRow = {
    name: 'idempotency record',
    bytesPerIssuance: round1(perRecord),
    issuances: idem.length,
    keysPerIssuance: 1,
    keys: { [IDEMPOTENCY_KIND]: kind },
    steadyStateBytesPerIssuancePerSecond: Math.round(perRecord * (kind.ttlSeconds ?? 0)),
  }
  console.log(
    `idempotency record: ${record.bytesPerIssuance} bytes each (used_memory ${withIdem} → ${withoutIdem} deleting ${idem.length})`,
  )
  return [row, record]
}
