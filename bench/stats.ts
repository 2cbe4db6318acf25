import type { ScenarioName } from './scenario.js'
import type { Measurement } from './target.js'
import type { CommandCalls } from './redis.js'

/** One row of the results file. Numbers are `null` for a scenario skipped because its endpoint is not mounted. */
export interface ResultRow {
  name: ScenarioName
  rps: number | null
  p50Ms: number | null
  p99Ms: number | null
  redisRoundTripsPerRequest: number | null
  /** CPU time of the target process per request, in microseconds. */
  cpuUsPerRequest: number | null
  skipped?: true
}

/** A scenario's summary over its rounds. */
export interface Summary {
  row: ResultRow
  /** Redis commands per request by name, from the median round. */
  commands?: CommandCalls
  /** Unexpected statuses summed over the rounds. */
  unexpected?: Record<string, number>
  /**
   * CPU time of the Redis server(s) per request, in microseconds (`INFO cpu`: used_cpu_user +
   * used_cpu_sys, summed over the servers), the median of the rounds.
   */
  redisCpuUsPerRequest?: number
}

/** The median of `values`. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** `value` rounded to `digits` decimals. */
export const round = (value: number, digits: number) => Number(value.toFixed(digits))

/** Medians over the rounds of one scenario. */
export function summarize(name: ScenarioName, rounds: Measurement[]): Summary {
  if (rounds.length === 0)
    return { row: { name, rps: null, p50Ms: null, p99Ms: null, redisRoundTripsPerRequest: null, cpuUsPerRequest: null, skipped: true } }
  const rps = median(rounds.map((m) => m.rps))
  const byRps = [...rounds].sort((a, b) => Math.abs(a.rps - rps) - Math.abs(b.rps - rps))[0] as Measurement
  const unexpected: Record<string, number> = {}
  for (const m of rounds) for (const [status, count] of Object.entries(m.unexpected)) unexpected[status] = (unexpected[status] ?? 0) + count
  return {
    row: {
      name,
      rps: Math.round(rps),
      p50Ms: round(median(rounds.map((m) => m.p50Ms)), 2),
      p99Ms: round(median(rounds.map((m) => m.p99Ms)), 2),
      redisRoundTripsPerRequest: round(median(rounds.map((m) => m.roundTrips)), 2),
      cpuUsPerRequest: Math.round(median(rounds.map((m) => m.cpuUsPerRequest))),
    },
    commands: new Map([...byRps.commands].map(([cmd, calls]) => [cmd, round(calls / Math.max(1, byRps.completed), 2)])),
    unexpected,
    redisCpuUsPerRequest: round(median(rounds.map((m) => m.redisCpuUsPerRequest.reduce((a, b) => a + b, 0))), 1),
  }
}
