import { WITH_OTEL, type ScenarioName } from './scenario.js'
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
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

const round = (value: number, digits: number) => Number(value.toFixed(digits))

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
  }
}

/** The results as a Markdown table, with the Redis commands behind each round-trip count. */
export function table(summaries: Summary[]): string {
  const lines = [
    '| scenario | req/s | p50 ms | p99 ms | target CPU µs / req | Redis round trips / req | Redis commands / req (INFO commandstats) |',
    '|---|---:|---:|---:|---:|---:|---|',
  ]
  for (const { row, commands } of summaries) {
    if (row.skipped) {
      lines.push(`| ${row.name} | skipped (not mounted) | | | | | |`)
      continue
    }
    const breakdown = [...(commands ?? [])]
      .sort((a, b) => b[1] - a[1])
      .map(([cmd, n]) => `${cmd} ${n}`)
      .join(', ')
    lines.push(
      `| ${row.name} | ${row.rps} | ${row.p50Ms} | ${row.p99Ms} | ${row.cpuUsPerRequest} | ${row.redisRoundTripsPerRequest} | ${breakdown} |`,
    )
  }
  return lines.join('\n')
}

/** The ratios the targets are stated in, for the scenarios that ran. */
export function ratios(rows: ResultRow[]): string[] {
  const rps = (name: ScenarioName) => rows.find((r) => r.name === name)?.rps ?? null
  const pairs: Array<[ScenarioName, ScenarioName, number]> = [
    ['POST /codes', 'baseline', 0.85],
    ['POST /token', 'baseline', 0.85],
    ['POST /token', 'oidc-provider POST /token', 2.5],
    ['GET /authorize', 'oidc-provider GET /auth', 2],
  ]
  return pairs.flatMap(([ours, theirs, target]) => {
    const a = rps(ours)
    const b = rps(theirs)
    if (!a || !b) return []
    const ratio = a / b
    return [`${ours} / ${theirs} = ${ratio.toFixed(3)}× (target ≥ ${target}×) ${ratio >= target ? 'met' : 'NOT met'}`]
  })
}

/**
 * What registering an OpenTelemetry SDK costs each of the library's scenarios that ran both ways
 * (`--otel`): the ratio of req/s, and of the target's CPU time per request (the steadier of the
 * two on a shared machine).
 */
export function otelRatios(rows: ResultRow[]): string[] {
  return rows.flatMap((traced) => {
    if (!traced.name.endsWith(WITH_OTEL) || !traced.rps || !traced.cpuUsPerRequest) return []
    const plain = rows.find((r) => `${r.name}${WITH_OTEL}` === traced.name)
    if (!plain?.rps || !plain.cpuUsPerRequest) return []
    const rps = (traced.rps / plain.rps).toFixed(3)
    const cpu = (traced.cpuUsPerRequest / plain.cpuUsPerRequest).toFixed(3)
    return [`${traced.name} / ${plain.name} = ${rps}× req/s, ${cpu}× target CPU per request`]
  })
}
