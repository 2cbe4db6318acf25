import type { MemoryReport } from './memory.js'
import type { ScaleReport, ScaleRow } from './scale.js'
import { WITH_OTEL, type ScenarioName } from './scenario.js'
import type { ResultRow, Summary } from './stats.js'

// What run.ts reads of a scenario's rounds lives in stats.ts (which scale.ts shares); kept here for run.ts's imports.

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
    ['POST /codes', 'baseline', 0.7],
    ['POST /token', 'baseline', 0.9],
    ['GET /authorize', 'oidc-provider GET /auth', 2.2],
    ['POST /token', 'oidc-provider POST /token', 3],
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

const size = (bytes: number) =>
  bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`

/** Redis bytes one `POST /codes` issuance may leave. */
const MEMORY_TARGET = 600

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
      .map(([kind, k]) => `${kind}${k.perIssuance === 1 ? '' : ` ×${k.perIssuance}`} ${k.memoryUsage} B, ${k.ttlSeconds ?? '–'} s`)
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
  if (codes?.bytesPerIssuance != null) {
    const met = codes.bytesPerIssuance <= MEMORY_TARGET ? 'met' : 'NOT met'
    lines.push(`POST /codes: ${codes.bytesPerIssuance} B per issuance (target ≤ ${MEMORY_TARGET} B) ${met}`)
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
