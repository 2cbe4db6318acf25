import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { RedisCluster } from '../test/helpers/redis-cluster.js'
import { connectRedis, redisCpuMicros, type BenchRedis, type RedisTarget } from './redis.js'
import { measureRounds, type RoundSettings } from './rounds.js'
import type { RpcChild } from './rpc.js'
import { scenarioNamed } from './scenarios/index.js'
import { median, round, summarize } from './stats.js'
import { Target, type Bench, type Measurement } from './target.js'

/** The scenarios `--scale` runs, each with 1 and 2 app processes on a standalone Redis and on a Cluster. */
const SCALED = ['POST /token', 'POST /codes'] as const
const PROCESSES = [1, 2] as const
const REDIS = ['standalone', 'cluster'] as const

/** One setup of the scale-out figure: medians over its rounds. */
export interface ScaleRow {
  name: (typeof SCALED)[number]
  redis: (typeof REDIS)[number]
  /** node:cluster workers sharing the one listening port. */
  processes: number
  /** The median of the rounds' req/s. */
  rps: number
  /** Each round's req/s, in the order they ran. */
  roundsRps: number[]
  /** CPU time of the app processes (the workers and their primary) per request, in microseconds. */
  cpuUsPerRequest: number
  redisRoundTripsPerRequest: number
  /** Commands, script calls and transactions the app processes sent to Redis per request, waited for or not. */
  redisCallsPerRequest: number
  /** INFO commandstats per request, summed over the servers (each master of a Cluster). */
  commands: Record<string, number>
  /** CPU time of all Redis servers per request (INFO cpu), in microseconds. */
  redisCpuUsPerRequest: number
  /** The same for the busiest server alone: a Cluster's masters share the load unevenly. */
  busiestRedisCpuUsPerRequest: number
  /** How busy the busiest server was during the run: its CPU time over the run's wall-clock time. */
  busiestRedisCpuPercent: number
  /**
   * Requests per second at which the busiest server would use one core: 1,000,000 µs over its
   * CPU µs per request, the ceiling Redis sets while the app scales out.
   */
  redisCeilingRps: number
  /**
   * The same ceiling from Redis's own capacity: redis-benchmark's SET rate over the calls per
   * request that reach the busiest server (its share of the Redis CPU time); each call costs
   * about one SET, as reading and answering a command is most of what Redis spends on it.
   */
  setRateCeilingRps?: number
  /** Share of the requests each worker served, over the whole run. */
  workerShares: number[]
}

/** What Redis alone does on this machine: `redis-benchmark -t set` against the standalone server. */
export interface RedisCapacity {
  /** SETs per second answered to 50 connections. */
  setsPerSecond: number
  /** The server's CPU time per SET meanwhile (INFO cpu), in microseconds. */
  cpuUsPerSet: number
}

/** The scale-out figure and the capacity Redis showed on its own. */
export interface ScaleReport {
  rows: ScaleRow[]
  /** Undefined when `redis-benchmark` is not installed. */
  capacity?: RedisCapacity
}

const BENCHMARK_SETS = 100_000

/** Runs `redis-benchmark -t set` against the server at `url`, and reads the server's CPU time for it. */
async function redisCapacity(url: string, stats: BenchRedis): Promise<RedisCapacity | undefined> {
  const { hostname, port } = new URL(url)
  const before = await redisCpuMicros(stats)
  let csv: string
  try {
    const args = ['-h', hostname, '-p', port || '6379', '-t', 'set', '-n', String(BENCHMARK_SETS), '-c', '50', '--csv']
    csv = (await promisify(execFile)('redis-benchmark', args)).stdout
  } catch (err) {
    console.warn(`warning: no Redis capacity figure, redis-benchmark failed: ${err instanceof Error ? err.message : String(err)}`)
    return undefined
  }
  const cpu = (await redisCpuMicros(stats)) - before
  await stats.del('key:__rand_int__') // the one key redis-benchmark writes without -r
  const rps = Number(/^"SET","([0-9.]+)"/m.exec(csv)?.[1])
  return { setsPerSecond: Math.round(rps), cpuUsPerSet: round(cpu / BENCHMARK_SETS, 1) }
}

function row(target: Target, setup: { redis: ScaleRow['redis']; processes: number }, rounds: Measurement[], shares: number[]): ScaleRow {
  const { row: summary, commands } = summarize(target.scenario.name, rounds)
  const busiest = median(rounds.map((m) => Math.max(...m.redisCpuUsPerRequest)))
  return {
    name: target.scenario.name as ScaleRow['name'],
    ...setup,
    rps: summary.rps ?? 0,
    roundsRps: rounds.map((m) => Math.round(m.rps)),
    cpuUsPerRequest: summary.cpuUsPerRequest ?? 0,
    redisRoundTripsPerRequest: summary.redisRoundTripsPerRequest ?? 0,
    redisCallsPerRequest: round(median(rounds.map((m) => m.calls)), 2),
    commands: Object.fromEntries(commands ?? []),
    redisCpuUsPerRequest: round(median(rounds.map((m) => m.redisCpuUsPerRequest.reduce((a, b) => a + b, 0))), 1),
    busiestRedisCpuUsPerRequest: round(busiest, 1),
    busiestRedisCpuPercent: round(median(rounds.map((m) => (Math.max(...m.redisCpuUsPerRequest) * m.rps) / 1e4)), 1),
    redisCeilingRps: Math.round(1e6 / Math.max(busiest, 1e-3)),
    workerShares: shares,
  }
}

/**
 * The scale-out figure: `POST /token` and `POST /codes` with 1 and 2 app processes
 * (node:cluster workers on one port), on the standalone server at `standaloneUrl` and on a
 * 3-master Redis Cluster started here, measured in interleaved rounds like the main table.
 */
export async function measureScale(
  load: RpcChild,
  standaloneUrl: string,
  settings: RoundSettings,
  connections: number,
): Promise<ScaleReport> {
  const cluster = await RedisCluster.start()
  const standaloneStats = [await connectRedis(standaloneUrl)]
  const clusterStats: BenchRedis[] = await Promise.all(cluster.nodes.map((node) => connectRedis(node.url)))
  const setups = new Map<Target, { redis: ScaleRow['redis']; processes: number }>()
  try {
    for (const name of SCALED) {
      for (const redis of REDIS) {
        for (const processes of PROCESSES) {
          const where: RedisTarget = redis === 'standalone' ? { url: standaloneUrl } : { cluster: cluster.nodes.map((n) => n.url) }
          const label = `${name} · ${redis} · ${processes} process${processes === 1 ? '' : 'es'}`
          setups.set(await Target.start(scenarioNamed(name), where, { workers: processes }, label), { redis, processes })
        }
      }
    }
    const targets = [...setups.keys()]
    const benchOf = (target: Target): Bench => ({
      load,
      redis: setups.get(target)?.redis === 'cluster' ? clusterStats : standaloneStats,
      connections,
    })
    console.log(
      `scale-out: ${targets.length} setups, warm-up ${settings.warmup} s each, ${settings.rounds} interleaved rounds of ${settings.seconds} s`,
    )
    const measured = await measureRounds(targets, benchOf, settings)
    const capacity = await redisCapacity(standaloneUrl, standaloneStats[0] as BenchRedis)
    const rows: ScaleRow[] = []
    for (const target of targets) {
      const served = await target.child.call<number[]>('requestsByWorker')
      const total = served.reduce((a, b) => a + b, 0)
      rows.push(
        row(
          target,
          setups.get(target) as { redis: ScaleRow['redis']; processes: number },
          measured.get(target) ?? [],
          served.map((n) => round(n / Math.max(1, total), 3)),
        ),
      )
    }
    if (capacity) {
      for (const r of rows) {
        const busiestShare = r.busiestRedisCpuUsPerRequest / Math.max(r.redisCpuUsPerRequest, 1e-3)
        r.setRateCeilingRps = Math.round(capacity.setsPerSecond / Math.max(r.redisCallsPerRequest * busiestShare, 1e-3))
      }
    }
    return { rows, ...(capacity ? { capacity } : {}) }
  } finally {
    for (const target of setups.keys()) await target.stop()
    for (const client of [...standaloneStats, ...clusterStats]) await client.close()
    await cluster.stop()
  }
}
