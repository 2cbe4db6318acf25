// A target server process: serves one scenario's host app on a loopback port.
// Usage (by the runner): target-process.ts <scenario name> <redis url>
import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import type { AddressInfo } from 'node:net'
import { registerBenchSdk } from './otel-sdk.js'
import { connectRedis, countRoundTrips } from './redis.js'
import { serveRpc } from './rpc.js'
import { scenarioNamed } from './scenarios/index.js'

const [name = '', redisUrl = ''] = process.argv.slice(2)
const scenario = scenarioNamed(name)
// Before the host app is built, as a production host registers its SDK before building the router.
if (scenario.otel) registerBenchSdk()
const redis = await connectRedis(redisUrl)
const { client, roundTrips } = countRoundTrips(redis)
const { app, prepare } = await scenario.serve(client)
const server = app.listen(0, '127.0.0.1')
await once(server, 'listening')
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
    cpuMicros: () => {
      const { user, system } = process.cpuUsage()
      return user + system
    },
    roundTrips,
    exit: async () => {
      server.closeAllConnections()
      server.close()
      await redis.close()
      process.exit(0)
    },
  },
  origin,
)
