import { LatencyProxy } from './latency-proxy.js'
import { connectRedis, type BenchRedis } from './redis.js'
import { measureRounds, type RoundSettings } from './rounds.js'
import type { RpcChild } from './rpc.js'
import type { Scenario, ScenarioName } from './scenario.js'
import { median, round, summarize } from './stats.js'
import { Target, type Bench } from './target.js'
import type { TargetOptions } from './target-process.js'

/** Requests per second assumed before a scenario's first run on one connection, to size its codes. */
const FIRST_GUESS_RPS = 1000
/** PINGs sent one after the other to measure a round trip, straight to Redis and through the proxy. */
const PINGS = 500
/** Calibration steps, and the PINGs of each. */
const CALIBRATION_STEPS = 4
const CALIBRATION_PINGS = 200

/** One endpoint of the latency run. Numbers are null for a scenario skipped because its endpoint is not mounted. */
export interface LatencyRow {
  name: ScenarioName
  /** The round trip the proxy adds to each Redis request, in ms. */
  redisLatencyMs: number
  p50Ms: number | null
  p99Ms: number | null
  /** p50 over the baseline's p50 at the same latency. */
  p50Ratio: number | null
  p99Ratio: number | null
  rps: number | null
  redisRoundTripsPerRequest: number | null
  /** Each round's p50, in the order they ran. */
  roundsP50Ms?: number[]
  skipped?: true
}

/** What the latency run measured, and the round trip a PING took meanwhile with and without the proxy. */
export interface LatencyReport {
  redisLatencyMs: number
  connections: 1
  rows: LatencyRow[]
  /** Median PING round trip from the runner, in ms: straight to Redis, and through the proxy. */
  pingMs: { direct: number; proxied: number }
  /** The delay the proxy gave each direction after calibration, in ms. */
  oneWayDelayMs: number
}

/** Target ratios of p50 to the baseline's at 1 ms. */
export const LATENCY_TARGETS: Partial<Record<ScenarioName, number>> = { 'POST /codes': 3.5, 'POST /token': 2.2 }

async function pingMs(redis: BenchRedis, pings = PINGS): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < pings; i++) {
    const start = process.hrtime.bigint()
    await redis.ping()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  return round(median(times), 3)
}

/**
 * The latency run: each of `scenarios` (the baseline among them) served by a target process that
 * reaches Redis through a {@link LatencyProxy} adding `redisLatencyMs` to each round trip, loaded
 * by one connection, so that a request's time is its own work and its round trips, without
 * queueing behind others. Warm-up, then interleaved rounds, as the main table; p50 and p99 from
 * each response's time.
 */
export async function measureLatency(
  load: RpcChild,
  redisUrl: string,
  scenarios: readonly Scenario[],
  settings: RoundSettings,
  redisLatencyMs: number,
  options: TargetOptions,
): Promise<LatencyReport> {
  const proxy = await LatencyProxy.start(redisUrl, redisLatencyMs)
  const stats = await connectRedis(redisUrl)
  const targets: Target[] = []
  try {
    const proxied = await connectRedis(proxy.url)
    // The proxy's own hop (each chunk read and written once more, the timer thread's wake-up)
    // adds a little to every round trip: the delay is set so that a PING's grows by the latency asked.
    for (let step = 0; step < CALIBRATION_STEPS; step++) {
      const added = (await pingMs(proxied, CALIBRATION_PINGS)) - (await pingMs(stats, CALIBRATION_PINGS))
      proxy.oneWayMs = Math.min(redisLatencyMs / 2, Math.max(0, proxy.oneWayMs + (redisLatencyMs - added) / 2))
    }
    const ping = { direct: await pingMs(stats), proxied: await pingMs(proxied) }
    await proxied.close()
    const oneWayDelayMs = round(proxy.oneWayMs, 3)
    console.log(
      `PING round trip: ${ping.direct} ms to Redis, ${ping.proxied} ms through the proxy (median of ${PINGS}), ` +
        `which delays each direction by ${oneWayDelayMs} ms`,
    )
    for (const scenario of scenarios) {
      const target = await Target.start(
        scenario,
        { url: proxy.url },
        options,
        `${scenario.name} (Redis +${redisLatencyMs} ms)`,
        FIRST_GUESS_RPS,
      )
      if (await target.isMounted()) targets.push(target)
      else {
        console.log(`${scenario.name}: skipped, the endpoint answers 404 (not mounted in this build)`)
        await target.stop()
      }
    }
    const bench: Bench = { load, redis: [stats], connections: 1, exactLatency: true }
    const measured = await measureRounds(targets, () => bench, settings)
    const summaries = scenarios.map((s) => {
      const target = targets.find((t) => t.scenario === s)
      const rounds = target ? (measured.get(target) ?? []) : []
      return { summary: summarize(s.name, rounds), roundsP50Ms: rounds.map((m) => round(m.p50Ms, 3)) }
    })
    const base = summaries.find(({ summary }) => summary.row.name === 'baseline')?.summary.row
    const ratio = (value: number | null, of: number | null | undefined) => (value && of ? round(value / of, 2) : null)
    const rows: LatencyRow[] = summaries.map(({ summary: { row }, roundsP50Ms }) => ({
      name: row.name,
      redisLatencyMs,
      p50Ms: row.p50Ms,
      p99Ms: row.p99Ms,
      p50Ratio: ratio(row.p50Ms, base?.p50Ms),
      p99Ratio: ratio(row.p99Ms, base?.p99Ms),
      rps: row.rps,
      redisRoundTripsPerRequest: row.redisRoundTripsPerRequest,
      ...(row.skipped ? { skipped: true as const } : { roundsP50Ms }),
    }))
    return { redisLatencyMs, connections: 1, rows, pingMs: ping, oneWayDelayMs }
  } finally {
    for (const target of targets) await target.stop()
    await stats.close()
    await proxy.close()
  }
}
