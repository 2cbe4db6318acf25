// The load generator process: runs autocannon against a target, apart from the target's CPU.
import autocannon from 'autocannon'
import type { Fixture } from './scenario.js'
import { serveRpc } from './rpc.js'
import { scenarioNamed } from './scenarios/index.js'

/** One timed run of a scenario. */
export interface LoadJob {
  name: string
  origin: string
  fixture: Fixture
  seconds: number
  connections: number
  /** Send exactly this many requests instead of running for `seconds` (`--memory`). */
  amount?: number
}

/** What one run measured, as the load generator saw it. */
export interface LoadResult {
  /** Mean of the per-second request counts. */
  rps: number
  p50Ms: number
  p99Ms: number
  /** Responses received. */
  completed: number
  /** Count of responses per status code. */
  statuses: Record<string, number>
  errors: number
  /** When the last response arrived (epoch ms), with `amount` only. */
  lastResponseAt?: number
}

async function run({ name, origin, fixture, seconds, connections, amount }: LoadJob): Promise<LoadResult> {
  let lastResponseAt: number | undefined
  // With `amount`, each response's arrival is noted (autocannon itself resolves up to a second
  // later); the scenarios set no `onResponse` of their own.
  const noted = () => {
    lastResponseAt = Date.now()
  }
  const requests = scenarioNamed(name)
    .requests(fixture)
    .map((request) => (amount === undefined ? request : { ...request, onResponse: noted }))
  const length = amount === undefined ? { duration: seconds } : { amount, connections: Math.min(connections, amount) }
  const result = await autocannon({ url: origin, connections, ...length, requests })
  const stats = (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {}
  return {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    completed: result.requests.total,
    statuses: Object.fromEntries(Object.entries(stats).map(([status, { count }]) => [status, count])),
    errors: result.errors,
    ...(lastResponseAt === undefined ? {} : { lastResponseAt }),
  }
}

serveRpc({ run, exit: () => process.exit(0) })
