// npm run bench -- [--quick] [--no-limits] [--otel] [--memory] [--scale] [--redis-latency MS] [--json FILE] [--scenario NAME ...] [--soak SECONDS] [--cpu-prof]
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { RedisServer } from '../test/helpers/redis-server.js'
import { measureLatency, type LatencyReport } from './latency.js'
import { measureMemory, type MemoryReport } from './memory.js'
import { connectRedis } from './redis.js'
import {
  latencyTable,
  memoryTable,
  otelRatios,
  peerRatios,
  dpopRatios,
  ratios,
  redisCpu,
  redisCpuLines,
  scaleRatios,
  scaleTable,
  table,
} from './report.js'
import { summarize, type Summary } from './stats.js'
import { measureRounds } from './rounds.js'
import { RpcChild } from './rpc.js'
import { measureScale, type ScaleReport } from './scale.js'
import { latencyScenarios, scenarioNamed, scenarios, withOtel } from './scenarios/index.js'
import { soak } from './soak.js'
import { Target, type Bench } from './target.js'

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    scenario: { type: 'string', multiple: true },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '50' },
    soak: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    otel: { type: 'boolean', default: false },
    memory: { type: 'boolean', default: false },
    issuances: { type: 'string' },
    scale: { type: 'boolean', default: false },
    'no-limits': { type: 'boolean', default: false },
    'redis-latency': { type: 'string', default: '1' },
  },
})

const settings = {
  rounds: Math.max(3, Number(args.rounds ?? 3)),
  seconds: Number(args.duration ?? (args.quick ? 3 : 10)),
  warmup: Number(args.warmup ?? (args.quick ? 2 : 5)),
  connections: Number(args.connections),
}
const issuances = Number(args.issuances ?? (args.quick ? 5000 : 20_000))
// The latency run: the round trip the proxy adds to each Redis request (0: no latency run).
const redisLatencyMs = Number(args['redis-latency'])
if (!(redisLatencyMs >= 0 && redisLatencyMs <= 100))
  throw new Error(`--redis-latency takes milliseconds from 0 to 100, not ${args['redis-latency']}`)
const chosen = args.scenario?.map(scenarioNamed) ?? (args.soak ? [scenarioNamed('POST /token')] : scenarios)
// --otel: each of the library's scenarios also runs with an OpenTelemetry SDK registered in its target.
const selected = args.otel ? chosen.flatMap((s) => [s, ...(s.otel ? [] : [withOtel(s)].filter((v) => v !== undefined))]) : chosen
const profileDir = resolve('bench/results/profiles')
if (args['cpu-prof']) await mkdir(profileDir, { recursive: true })
const profileFile = (target: Target, round: number) =>
  args['cpu-prof'] ? join(profileDir, `${target.scenario.name.replace(/[^a-z0-9]+/gi, '-')}-round-${round}.cpuprofile`) : undefined

const server = process.env.REDIS_URL ? undefined : await RedisServer.start()
const redisUrl = process.env.REDIS_URL ?? (server as RedisServer).url
const redis = await connectRedis(redisUrl)
const load = new RpcChild('./load-process.ts', [])
await load.ready
const bench: Bench = { load, redis: [redis], connections: settings.connections }
const targets: Target[] = []

try {
  for (const scenario of selected) {
    const target = await Target.start(scenario, { url: redisUrl }, { noLimits: args['no-limits'] })
    if (await target.isMounted()) {
      targets.push(target)
    } else {
      console.log(`${scenario.name}: skipped, the endpoint answers 404 (not mounted in this build)`)
      await target.stop()
    }
  }

  if (args.soak) {
    if (targets.length !== 1) throw new Error('--soak runs one mounted scenario: pick it with --scenario NAME')
    await soak(targets[0] as Target, bench, Number(args.soak), settings.warmup)
  } else {
    console.log(
      `warm-up ${settings.warmup} s each, then ${settings.rounds} interleaved rounds of ${settings.seconds} s, ${settings.connections} connections`,
    )
    const measured = await measureRounds(targets, () => bench, settings, profileFile)
    const summaries: Summary[] = selected.map((s) => {
      const target = targets.find((t) => t.scenario === s)
      return summarize(s.name, target ? (measured.get(target) ?? []) : [])
    })
    console.log(`\n${table(summaries)}\n`)
    const rows = summaries.map((s) => s.row)
    for (const line of [...ratios(rows), ...dpopRatios(rows), ...otelRatios(rows), ...redisCpuLines(summaries)]) console.log(line)
    for (const { row, unexpected } of summaries) {
      if (unexpected && Object.keys(unexpected).length)
        console.warn(`warning: ${row.name} got unexpected answers ${JSON.stringify(unexpected)}`)
    }
    // The targets of the main table idle from here on; the sections below start their own.
    while (targets.length) await targets.pop()?.stop()

    // Each of the library's endpoints among the chosen scenarios, with the baseline to compare with.
    const latencyRun = latencyScenarios.filter((s) => s.name === 'baseline' || chosen.includes(s))
    let latency: LatencyReport | undefined
    if (redisLatencyMs > 0 && latencyRun.some((s) => s.name !== 'baseline' || chosen.includes(s))) {
      console.log(
        `\nlatency: Redis ${redisLatencyMs} ms away (a proxy delays each direction by ${redisLatencyMs / 2} ms), 1 connection, ` +
          `warm-up ${settings.warmup} s each, then ${settings.rounds} interleaved rounds of ${settings.seconds} s`,
      )
      latency = await measureLatency(load, redisUrl, latencyRun, settings, redisLatencyMs, { noLimits: args['no-limits'] })
      console.log(`\n${latencyTable(latency)}\n`)
    }

    let memory: MemoryReport | undefined
    if (args.memory) {
      console.log(`\nRedis memory: ${issuances} issuances per scenario on a fresh redis-server`)
      memory = await measureMemory(load, issuances, settings.connections)
      console.log(`\n${memoryTable(memory)}\n`)
    }
    let scale: ScaleReport | undefined
    if (args.scale) {
      console.log('\nscale-out: 1 and 2 app processes, on one standalone Redis and on a 3-master Redis Cluster')
      scale = await measureScale(load, redisUrl, settings, settings.connections)
      console.log(`\n${scaleTable(scale)}\n`)
      for (const line of scaleRatios(scale.rows)) console.log(line)
    }

    if (args.json) {
      const file = {
        results: rows,
        peers: peerRatios(rows),
        redisCpuMicros: redisCpu(summaries),
        ...(latency
          ? {
              latency: latency.rows.map(({ roundsP50Ms: _rounds, ...row }) => row),
              latencySetup: {
                redisLatencyMs: latency.redisLatencyMs,
                connections: latency.connections,
                pingMs: latency.pingMs,
                oneWayDelayMs: latency.oneWayDelayMs,
              },
            }
          : {}),
        ...(memory
          ? { memory: memory.rows, memoryServer: { redisVersion: memory.redisVersion, allocator: memory.allocator, issuances } }
          : {}),
        ...(scale ? { scale: scale.rows, ...(scale.capacity ? { redisCapacity: scale.capacity } : {}) } : {}),
      }
      await mkdir(dirname(resolve(args.json)), { recursive: true })
      await writeFile(args.json, `${JSON.stringify(file, null, 2)}\n`)
      console.log(`results written to ${args.json}`)
    }
  }
} finally {
  for (const target of targets) await target.stop()
  if (args['cpu-prof']) console.log(`CPU profiles of the measured rounds in ${profileDir} (summary: npx tsx bench/profile-summary.ts FILE)`)
  await load.stop()
  await redis.close()
  await server?.stop()
}
