// A target server process: serves one scenario's host app on a loopback port. With `workers`, it is
// the primary of that many node:cluster workers, each serving the app on the one shared port.
// Usage (by the runner): target-process.ts <scenario name> <RedisTarget JSON> [<TargetOptions JSON>]
import cluster from 'node:cluster'
import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { Session } from 'node:inspector/promises'
import type { AddressInfo } from 'node:net'
import { registerBenchSdk } from './otel-sdk.js'
import { connectRedis, connectTarget, countingRequests, countRoundTrips, type RedisTarget } from './redis.js'
import { RpcChild, serveRpc } from './rpc.js'
import { scenarioNamed } from './scenarios/index.js'

/** How a target runs, besides its scenario and Redis. */
export interface TargetOptions {
  /** node:cluster workers sharing one listening port; without, the process serves the app itself. */
  workers?: number
  /** URL of a separate Redis for the host's sessions (so the library's Redis holds only the library's keys). */
  sessions?: string
  /** Serve the host app with its rate limits off (see {@link HostConnections}). */
  noLimits?: boolean
}

const [name = '', target = '{}', optionsJson = '{}'] = process.argv.slice(2)
const options = JSON.parse(optionsJson) as TargetOptions

const cpuMicros = () => {
  const { user, system } = process.cpuUsage()
  return user + system
}

if (cluster.isPrimary && options.workers) await primary(options.workers)
else await serve()

/** Forks the workers and answers the runner for all of them: sums of their counters, setup by the first. */
async function primary(count: number): Promise<void> {
  const workers = Array.from({ length: count }, (_, i) => {
    const worker = cluster.fork()
    return new RpcChild(worker, `${name} worker ${i + 1}`, worker.process.pid)
  })
  const origins = new Set(await Promise.all(workers.map((w) => w.ready)))
  if (origins.size !== 1) throw new Error(`the workers listen on different origins: ${[...origins].join(', ')}`)
  const first = workers[0] as RpcChild
  const sum = async (op: string) => (await Promise.all(workers.map((w) => w.call<number>(op)))).reduce((a, b) => a + b, 0)
  serveRpc(
    {
      prepare: (n: number) => first.call('prepare', n),
      roundTrips: () => sum('roundTrips'),
      calls: () => sum('calls'),
      requestsByWorker: () => Promise.all(workers.map((w) => w.call<number>('requests'))),
      // The primary's own share (it accepts each connection and hands it to a worker) counts too.
      cpuMicros: async () => (await sum('cpuMicros')) + cpuMicros(),
      rss: async () => (await sum('rss')) + process.memoryUsage().rss,
      exit: async () => {
        await Promise.all(workers.map((w) => w.stop()))
        process.exit(0)
      },
    },
    [...origins][0],
  )
}

/** Serves the scenario's app, in a target process of its own or as one node:cluster worker. */
async function serve(): Promise<void> {
  const scenario = scenarioNamed(name)
  // Before the host app is built, as a production host registers its SDK before building the router.
  if (scenario.otel) registerBenchSdk()
  const redis = await connectTarget(JSON.parse(target) as RedisTarget)
  const sessions = options.sessions ? await connectRedis(options.sessions) : undefined
  const { client, roundTrips, calls } = countRoundTrips(redis)
  const { app, prepare } = await scenario.serve(client, { sessions, noLimits: options.noLimits })
  const server = createServer(countingRequests(app)).listen(0, '127.0.0.1')
  await once(server, 'listening')
  let requests = 0
  server.on('request', () => requests++)
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  // CPU profiles cover load runs only, not the setup that prepares them.
  const inspector = new Session()
  inspector.connect()

  serveRpc(
    {
      profileStart: async () => {
        await inspector.post('Profiler.enable')
        await inspector.post('Profiler.start')
      },
      profileStop: async (file: string) => {
        const { profile } = await inspector.post('Profiler.stop')
        await writeFile(file, JSON.stringify(profile))
      },
      prepare: (count: number) => prepare?.(count, origin) ?? {},
      rss: () => process.memoryUsage().rss,
      cpuMicros,
      roundTrips,
      calls,
      requests: () => requests,
      exit: async () => {
        server.closeAllConnections()
        server.close()
        await redis.close()
        await sessions?.close()
        process.exit(0)
      },
    },
    origin,
  )
}
