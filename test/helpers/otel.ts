import { context, metrics, trace, type Attributes } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'

/** One data point as a test reads it: its attributes and its value (a sum, or a histogram's count). */
export interface Point {
  attributes: Attributes
  value: number
}

/** An OpenTelemetry SDK registered globally, exporting into memory, as a host would register one. */
export interface TestSdk {
  /** Every metric recorded so far (cumulative), by name. */
  metrics(): Promise<Map<string, { data: MetricData; points: Point[] }>>
  /** Every span ended so far. */
  spans(): ReadableSpan[]
  /** Unregisters the SDK: the global meter and tracer providers and the context manager are no-ops again. */
  shutdown(): Promise<void>
}

/**
 * Registers a meter provider (cumulative in-memory exporter, collected on demand), a tracer
 * provider (every span exported as it ends) and an AsyncLocalStorage context manager, as
 * `NodeSDK` would. Call `shutdown()` in `after`, so that other test files see no SDK.
 */
export function registerTestSdk(): TestSdk {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  // A long interval: the test collects with forceFlush when it wants the numbers.
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const spanExporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] })
  const contextManager = new AsyncLocalStorageContextManager().enable()
  if (!metrics.setGlobalMeterProvider(meterProvider) || !trace.setGlobalTracerProvider(tracerProvider)) {
    throw new Error('an OpenTelemetry SDK is already registered: an earlier test did not shut its own down')
  }
  context.setGlobalContextManager(contextManager)
  return {
    async metrics() {
      metricExporter.reset()
      await reader.forceFlush()
      const found = new Map<string, { data: MetricData; points: Point[] }>()
      for (const resource of metricExporter.getMetrics()) {
        for (const scope of resource.scopeMetrics) {
          for (const data of scope.metrics) {
            const points = (data.dataPoints as Array<{ attributes: Attributes; value: unknown }>).map((p) => ({
              attributes: p.attributes,
              value: data.dataPointType === DataPointType.HISTOGRAM ? (p.value as { count: number }).count : (p.value as number),
            }))
            found.set(data.descriptor.name, { data, points })
          }
        }
      }
      return found
    },
    spans: () => spanExporter.getFinishedSpans(),
    async shutdown() {
      metrics.disable()
      trace.disable()
      context.disable()
      await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()])
    },
  }
}

/** Data points as `{ "a=1,b=2": value }`, attributes sorted by name, for exact comparisons. */
export function byAttributes(points: Point[] | undefined): Record<string, number> {
  const table: Record<string, number> = {}
  for (const { attributes, value } of points ?? []) {
    const key = Object.entries(attributes)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, v]) => `${name}=${String(v)}`)
      .join(',')
    table[key] = (table[key] ?? 0) + value
  }
  return table
}
