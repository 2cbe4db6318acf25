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
  /**
   * Take p50 and p99 from every response's own time (autocannon's histogram keeps whole
   * milliseconds): for the latency run, whose requests take a few milliseconds.
   */
  exactLatency?: boolean
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

/** The `q` quantile of sorted `values` (nearest rank). */
const quantile = (values: Float64Array, q: number) =>
  values[Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1))] ?? 0

async function run({ name, origin, fixture, seconds, connections, amount, exactLatency }: LoadJob): Promise<LoadResult> {
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
  // Called without a callback, autocannon returns its event emitter, which is also a promise of the result.
  const instance = autocannon({ url: origin, connections, ...length, requests }) as unknown as autocannon.Instance &
    PromiseLike<autocannon.Result>
  const times: number[] = []
  if (exactLatency) instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime))
  const result = await instance
  const sorted = new Float64Array(times).sort()
  const stats = (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {}
  return {
    rps: result.requests.average,
    p50Ms: exactLatency ? quantile(sorted, 0.5) : result.latency.p50,
    p99Ms: exactLatency ? quantile(sorted, 0.99) : result.latency.p99,
    completed: result.requests.total,
    statuses: Object.fromEntries(Object.entries(stats).map(([status, { count }]) => [status, count])),
    errors: result.errors,
    ...(lastResponseAt === undefined ? {} : { lastResponseAt }),
  }
}

serveRpc({ run, exit: () => process.exit(0) })
