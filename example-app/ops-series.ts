import { DataPointType, type Histogram, type ResourceMetrics } from '@opentelemetry/sdk-metrics'
import type { AuthcodeHealth } from '../lib/index.js'

/** The counters the ops page charts, by chart. */
const CHARTS = {
  issued: 'authcode.codes.issued',
  redeemed: 'authcode.codes.redeemed',
  reused: 'authcode.codes.reuse_detected',
  failed: 'authcode.codes.redeem_failed',
} as const

export type ChartName = keyof typeof CHARTS

/** The kinds of code, each a line of every chart; failed redemptions add `unknown`, for codes nobody knows. */
const KINDS = ['magic_link', 'authorize', 'capture'] as const
const kindsOf = (chart: string): readonly string[] => (chart === 'failed' ? [...KINDS, 'unknown'] : KINDS)

const chartOf = new Map(Object.entries(CHARTS).map(([chart, metric]) => [metric as string, chart as ChartName]))

/** What `/ops/data.json` answers: counts per bucket, oldest first; the last bucket is the one running now. */
export interface OpsData {
  bucketSeconds: number
  /** Per chart, per kind of code. */
  charts: Record<ChartName, Record<string, number[]>>
  /** Mean duration of the store operations in each bucket, `null` for a bucket without any. */
  storeLatencyMs: Array<number | null>
  storeOperations: number[]
  health: AuthcodeHealth
}

/** Cumulative values at one instant: `chart|kind` counts, and the store duration's `store|sum` and `store|count`. */
type Totals = Map<string, number>

function totalsOf(resources: ResourceMetrics): Totals {
  const totals: Totals = new Map()
  const add = (key: string, value: number) => totals.set(key, (totals.get(key) ?? 0) + value)
  for (const scope of resources.scopeMetrics) {
    for (const metric of scope.metrics) {
      const chart = chartOf.get(metric.descriptor.name)
      if (chart)
        for (const point of metric.dataPoints)
          add(`${chart}|${String(point.attributes['authcode.kind'] ?? 'unknown')}`, point.value as number)
      if (metric.descriptor.name === 'authcode.store.duration' && metric.dataPointType === DataPointType.HISTOGRAM) {
        for (const { value } of metric.dataPoints as Array<{ value: Histogram }>) {
          add('store|sum', value.sum ?? 0)
          add('store|count', value.count)
        }
      }
    }
  }
  return totals
}

/**
 * The last few minutes of the router's metrics in buckets, computed from the same meter
 * provider `/metrics` exports: a sample of the cumulative values every `bucketMs`, and each
 * bucket the difference between two samples. The running bucket runs up to the moment of the
 * request, so what just happened shows at once.
 */
export class OpsSeries {
  /** Oldest first; the router starts from zero. */
  readonly #samples: Totals[] = [new Map()]
  readonly #timer: NodeJS.Timeout

  constructor(
    private readonly collect: () => Promise<ResourceMetrics>,
    private readonly health: () => Promise<AuthcodeHealth>,
    private readonly bucketMs = 10_000,
    private readonly buckets = 30,
  ) {
    this.#timer = setInterval(() => {
      this.collect().then(
        (resources) => {
          this.#samples.push(totalsOf(resources))
          if (this.#samples.length > this.buckets) this.#samples.shift()
        },
        () => undefined,
      )
    }, bucketMs)
    this.#timer.unref()
  }

  async snapshot(): Promise<OpsData> {
    const [resources, health] = await Promise.all([this.collect(), this.health()])
    const points = [...this.#samples, totalsOf(resources)]
    const series = (key: string) => {
      const deltas = points.slice(1).map((totals, i) => (totals.get(key) ?? 0) - ((points[i] as Totals).get(key) ?? 0))
      return [...Array<number>(Math.max(0, this.buckets - deltas.length)).fill(0), ...deltas]
    }
    const charts = Object.fromEntries(
      Object.keys(CHARTS).map((chart) => [chart, Object.fromEntries(kindsOf(chart).map((kind) => [kind, series(`${chart}|${kind}`)]))]),
    ) as OpsData['charts']
    const sums = series('store|sum')
    const counts = series('store|count')
    return {
      bucketSeconds: this.bucketMs / 1000,
      charts,
      storeLatencyMs: counts.map((count, i) => (count > 0 ? Number(((sums[i] as number) / count).toFixed(3)) : null)),
      storeOperations: counts,
      health,
    }
  }

  stop(): void {
    clearInterval(this.#timer)
  }
}
