import { context, metrics, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base'

/** `ExportResultCode.SUCCESS` of @opentelemetry/core, which the SDK packages depend on. */
const SUCCESS = 0

/** Accepts every export and sends it nowhere: the SDK's own work is measured, not a collector's network. */
const discard = {
  export(_items: unknown, done: (result: { code: number }) => void) {
    done({ code: SUCCESS })
  },
  shutdown: async () => undefined,
  forceFlush: async () => undefined,
}

/**
 * Registers an OpenTelemetry SDK in a target process the way a production host does (metrics
 * read every 10 s, every span sampled and batched, AsyncLocalStorage context), with exporters
 * that discard what they are given. Called before the host app is built.
 */
export function registerBenchSdk(): void {
  const reader = new PeriodicExportingMetricReader({ exporter: discard as PushMetricExporter, exportIntervalMillis: 10_000 })
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard as SpanExporter)] }))
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
}
