import { LATENCY_TARGETS, type LatencyReport } from './latency.js'
import type { MemoryReport, MemoryRow } from './memory.js'
import type { ScaleReport, ScaleRow } from './scale.js'
import { WITH_OTEL, type ScenarioName } from './scenario.js'
import { round, type ResultRow, type Summary } from './stats.js'

// What run.ts reads of a scenario's rounds lives in stats.ts (which scale.ts shares); kept here for run.ts's imports.

/** The results as a Markdown table, with the Redis commands behind each round-trip count. */
export function table(summaries: Summary[]): string {
  const lines = [
    '| scenario | req/s | p50 ms | p99 ms | target CPU µs / req | Redis CPU µs / req | Redis round trips / req | Redis commands / req (INFO commandstats) |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ]
  for (const { row, commands, redisCpuUsPerRequest } of summaries) {
    if (row.skipped) {
      lines.push(`| ${row.name} | skipped (not mounted) | | | | | | |`)
      continue
    }
    const breakdown = [...(commands ?? [])]
      .sort((a, b) => b[1] - a[1])
      .map(([cmd, n]) => `${cmd} ${n}`)
      .join(', ')
    lines.push(
      `| ${row.name} | ${row.rps} | ${row.p50Ms} | ${row.p99Ms} | ${row.cpuUsPerRequest} | ${redisCpuUsPerRequest ?? ''} | ${row.redisRoundTripsPerRequest} | ${breakdown} |`,
    )
  }
  return lines.join('\n')
}

/** Our endpoint, the peer's it is compared with, and the req/s ratio targeted, for the peers that run in the main table. */
const PEERS: Array<[ScenarioName, ScenarioName, number]> = [
  ['POST /codes', 'better-auth magic-link send', 1.5],
  ['POST /login/magic', 'better-auth magic-link verify', 1.5],
]

/** The ratios the targets are stated in, for the scenarios that ran. */
export function ratios(rows: ResultRow[]): string[] {
  const rps = (name: ScenarioName) => rows.find((r) => r.name === name)?.rps ?? null
  const pairs: Array<[ScenarioName, ScenarioName, number]> = [
    ['POST /codes', 'baseline', 0.7],
    ['POST /token', 'baseline', 0.9],
    ['GET /authorize', 'oidc-provider GET /auth', 2.2],
    ['POST /token', 'oidc-provider POST /token', 3],
    ...PEERS,
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
 * What a DPoP proof costs `POST /token`, when both ran: the ratio of the target's CPU time per
 * request (the steadier figure on a shared machine), and of req/s.
 */
export function dpopRatios(rows: ResultRow[]): string[] {
  const plain = rows.find((r) => r.name === 'POST /token')
  const dpop = rows.find((r) => r.name === 'POST /token + DPoP')
  if (!plain?.cpuUsPerRequest || !dpop?.cpuUsPerRequest || !plain.rps || !dpop.rps) return []
  const cpu = (dpop.cpuUsPerRequest / plain.cpuUsPerRequest).toFixed(2)
  const rps = (dpop.rps / plain.rps).toFixed(2)
  return [`DPoP: POST /token costs ${cpu}× plain POST /token (target CPU per request; ${rps}× its req/s)`]
}

/** One peer comparison of the results file: ours over theirs, in req/s. */
export interface PeerRatio {
  /** The peer's scenario. */
  name: ScenarioName
  /** Ours it is compared with. */
  ours: ScenarioName
  ratio: number
  target: number
}

/** The peer comparisons (`"peers"` of the results file) among the scenarios that ran. */
export function peerRatios(rows: ResultRow[]): PeerRatio[] {
  const rps = (name: ScenarioName) => rows.find((r) => r.name === name)?.rps ?? null
  return PEERS.flatMap(([ours, theirs, target]) => {
    const a = rps(ours)
    const b = rps(theirs)
    return a && b ? [{ name: theirs, ours, ratio: Number((a / b).toFixed(3)), target }] : []
  })
}

/** Redis CPU µs per `POST /codes` request targeted. */
const REDIS_CPU_TARGET_US = 20

/** Redis CPU per request of each scenario that ran (`"redisCpuMicros"` of the results file). */
export function redisCpu(summaries: Summary[]): Array<{ name: ScenarioName; perRequest: number }> {
  return summaries.flatMap(({ row, redisCpuUsPerRequest }) =>
    row.skipped || redisCpuUsPerRequest === undefined ? [] : [{ name: row.name, perRequest: redisCpuUsPerRequest }],
  )
}

/** The line on the Redis CPU target, when `POST /codes` ran. */
export function redisCpuLines(summaries: Summary[]): string[] {
  const codes = redisCpu(summaries).find((r) => r.name === 'POST /codes')
  if (!codes) return []
  const met = codes.perRequest <= REDIS_CPU_TARGET_US ? 'met' : 'NOT met'
  return [`POST /codes: ${codes.perRequest} µs of Redis CPU per request (INFO cpu; target ≤ ${REDIS_CPU_TARGET_US} µs) ${met}`]
}

/** The latency run as a Markdown table, and the lines on its targets. */
export function latencyTable({ rows, redisLatencyMs, pingMs, oneWayDelayMs }: LatencyReport): string {
  const lines = [
    `| scenario (Redis +${redisLatencyMs} ms, 1 connection) | p50 ms | p99 ms | p50 / baseline p50 | p99 / baseline p99 | req/s | Redis round trips / req | rounds' p50 ms |`,
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ]
  for (const r of rows) {
    if (r.skipped) {
      lines.push(`| ${r.name} | skipped (not mounted) | | | | | | |`)
      continue
    }
    const x = (v: number | null) => (v === null ? '–' : `${v}×`)
    lines.push(
      `| ${r.name} | ${r.p50Ms} | ${r.p99Ms} | ${x(r.p50Ratio)} | ${x(r.p99Ratio)} | ${r.rps} | ${r.redisRoundTripsPerRequest} | ${(r.roundsP50Ms ?? []).join(', ')} |`,
    )
  }
  lines.push(
    '',
    `PING round trip from the runner: ${pingMs.direct} ms straight to Redis, ${pingMs.proxied} ms through the proxy ` +
      `(+${round(pingMs.proxied - pingMs.direct, 3)} ms; the proxy delays each direction by ${oneWayDelayMs} ms).`,
  )
  for (const r of rows) {
    const target = LATENCY_TARGETS[r.name]
    if (target === undefined || r.p50Ratio === null) continue
    const at = redisLatencyMs === 1 ? '' : ` (the target is stated at 1 ms; this run is at ${redisLatencyMs} ms)`
    lines.push(`${r.name}: p50 ${r.p50Ratio}× the baseline's (target ≤ ${target}×) ${r.p50Ratio <= target ? 'met' : 'NOT met'}${at}`)
  }
  return lines.join('\n')
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

const size = (bytes: number) =>
  bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`

/** How many keys of a kind each request leaves, when not one: `×2`, or `1 per 5000` for a key all requests share. */
const keysEach = (perIssuance: number) =>
  perIssuance === 1 ? '' : perIssuance > 0 && perIssuance < 0.1 ? ` (1 per ${Math.round(1 / perIssuance)})` : ` ×${perIssuance}`

/** The bytes of `row` that keys of `kind` take: their MEMORY USAGE and an even share per key of what no key's MEMORY USAGE counts. */
function shareOf(row: MemoryRow, kind: string): number {
  const kinds = Object.values(row.keys ?? {})
  const keys = kinds.reduce((sum, k) => sum + k.perIssuance, 0)
  const overheadPerKey =
    ((row.bytesPerIssuance ?? 0) - kinds.reduce((sum, k) => sum + k.perIssuance * k.memoryUsage, 0)) / Math.max(1, keys)
  const one = row.keys?.[kind]
  return one ? one.perIssuance * (one.memoryUsage + overheadPerKey) : 0
}

/** The `--memory` results as a Markdown table and the lines under it. */
export function memoryTable({ rows, redisVersion, allocator }: MemoryReport): string {
  const lines = [
    '| scenario | Redis bytes / issuance | keys / issuance | by kind of key: MEMORY USAGE (mean), TTL | held at a steady 1 issuance/s |',
    '|---|---:|---:|---|---:|',
  ]
  for (const row of rows) {
    if (row.bytesPerIssuance === null) {
      lines.push(`| ${row.name} | skipped: ${row.reason ?? ''} | | | |`)
      continue
    }
    const kinds = Object.entries(row.keys ?? {})
      .map(([kind, k]) => `${kind}${keysEach(k.perIssuance)} ${k.memoryUsage} B, ${k.ttlSeconds ?? '–'} s`)
      .join('; ')
    const held = row.steadyStateBytesPerIssuancePerSecond
    lines.push(`| ${row.name} | ${row.bytesPerIssuance} | ${row.keysPerIssuance} | ${kinds} | ${held === undefined ? '' : size(held)} |`)
  }
  lines.push('')
  const first = rows.find((r) => r.emptyKeyspaceBytes !== undefined)
  if (first) {
    const empties = rows.flatMap((r) => (r.emptyKeyspaceBytes === undefined ? [] : [`${r.emptyKeyspaceBytes} (${r.name})`]))
    lines.push(`Empty keyspace, target connected: used_memory ${empties.join(', ')} bytes; redis-server ${redisVersion}, ${allocator}.`)
  }
  const codes = rows.find((r) => r.name === 'POST /codes' && r.bytesPerIssuance !== null)
  if (codes?.bytesPerIssuance != null && codes.keys) {
    const kinds = Object.entries(codes.keys)
    const rest = codes.bytesPerIssuance - kinds.reduce((sum, [, k]) => sum + k.perIssuance * k.memoryUsage, 0)
    const parts = kinds.map(
      ([kind, k]) => `${kind === 'idem' ? 'idempotency' : kind} key${k.perIssuance === 1 ? '' : ` ×${k.perIssuance}`} ${k.memoryUsage} B`,
    )
    lines.push(
      `POST /codes split: ${parts.join(' + ')} (MEMORY USAGE, mean of up to ${Math.max(...kinds.map(([, k]) => k.sampled))} keys each) ` +
        `+ ${rest.toFixed(1)} B of expiry entries and hash-table buckets.`,
    )
  }
  const family = rows.find((r) => r.name === 'POST /token + refresh token')
  const rotation = rows.find((r) => r.name === 'POST /token refresh_token')
  if (family?.bytesPerIssuance != null && family.keys) {
    const perFamily = family.bytesPerIssuance - shareOf(family, 'code')
    lines.push(
      `Refresh tokens: ${Math.round(perFamily)} B per live family (the code exchange's bytes less the spent code's marker, which lives out the code's TTL)` +
        (rotation?.bytesPerIssuance != null ? `, ${Math.round(rotation.bytesPerIssuance)} B more per rotation within idleTtl.` : '.'),
    )
  }
  return lines.join('\n')
}

/** The `--scale` results as a Markdown table, and the capacity Redis showed alone. */
export function scaleTable({ rows, capacity }: ScaleReport): string {
  const lines = [
    '| scenario | Redis | app processes | req/s | target CPU µs / req | Redis round trips / req | Redis commands / req | Redis CPU µs / req (all servers, busiest) | busiest server CPU | Redis ceiling req/s (by CPU time, by SET rate) | requests per worker |',
    '|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|',
  ]
  for (const r of rows) {
    const commands = Object.entries(r.commands)
      .sort((a, b) => b[1] - a[1])
      .map(([cmd, n]) => `${cmd} ${n}`)
      .join(', ')
    lines.push(
      `| ${r.name} | ${r.redis} | ${r.processes} | ${r.rps} | ${r.cpuUsPerRequest} | ${r.redisRoundTripsPerRequest} | ${commands} | ` +
        `${r.redisCpuUsPerRequest}, ${r.busiestRedisCpuUsPerRequest} | ${r.busiestRedisCpuPercent} % | ${r.redisCeilingRps}, ${r.setRateCeilingRps ?? '–'} | ` +
        `${r.workerShares.map((s) => `${Math.round(s * 100)} %`).join(' / ')} |`,
    )
  }
  lines.push('', `Rounds, req/s: ${rows.map((r) => `${r.name} · ${r.redis} · ${r.processes}: ${r.roundsRps.join(', ')}`).join('; ')}.`)
  if (capacity) {
    lines.push(
      `Redis alone (redis-benchmark -t set -c 50 against the standalone server, same machine): ${capacity.setsPerSecond} SET/s, ` +
        `${capacity.cpuUsPerSet} µs of Redis CPU per SET.`,
    )
  }
  return lines.join('\n')
}

/** 2 processes / 1 process on each Redis, and Cluster / standalone for each process count, in req/s. */
export function scaleRatios(rows: ScaleRow[]): string[] {
  const rps = (name: string, redis: string, processes: number) =>
    rows.find((r) => r.name === name && r.redis === redis && r.processes === processes)?.rps ?? 0
  const ratio = (a: number, b: number) => (a && b ? `${(a / b).toFixed(3)}×` : 'n/a')
  const names = [...new Set(rows.map((r) => r.name))]
  return names.flatMap((name) => [
    `${name}: 2 processes / 1 process = ${ratio(rps(name, 'standalone', 2), rps(name, 'standalone', 1))} on standalone, ${ratio(rps(name, 'cluster', 2), rps(name, 'cluster', 1))} on the Cluster`,
    `${name}: Cluster / standalone = ${ratio(rps(name, 'cluster', 1), rps(name, 'standalone', 1))} with 1 process, ${ratio(rps(name, 'cluster', 2), rps(name, 'standalone', 2))} with 2`,
  ])
}
