import { metrics } from '@opentelemetry/api'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics'
import type { RequestHandler } from 'express'

/** A reader that exports nothing by itself: the ops page collects from it when it asks. */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The app's OpenTelemetry metrics SDK. */
export interface ExampleTelemetry {
  /** `GET /metrics`: everything recorded, in the Prometheus text format. */
  prometheus: RequestHandler
  /** Everything recorded since start (cumulative), for the ops page. */
  collect(): Promise<ResourceMetrics>
  /** Unregisters the SDK; the router's instruments are no-ops again. */
  shutdown(): Promise<void>
}

/**
 * Registers a meter provider globally, the way a production host does at start-up, with two
 * readers: the Prometheus exporter (served by the app at `/metrics`, not on a port of its own)
 * and one the ops page reads. Register it before `authcode()` is called; the library itself
 * never registers an SDK. A real host would usually start `NodeSDK` from
 * `@opentelemetry/sdk-node` with an OTLP exporter instead, and add a tracer provider for the
 * router's spans.
 */
export function startTelemetry(): ExampleTelemetry {
  const exporter = new PrometheusExporter({ preventServerStart: true })
  const ops = new OnDemandReader()
  const provider = new MeterProvider({ readers: [exporter, ops] })
  const registered = metrics.setGlobalMeterProvider(provider)
  if (!registered) console.warn('telemetry: another meter provider is registered in this process; /metrics and /ops stay empty')
  return {
    prometheus: (req, res) => exporter.getMetricsRequestHandler(req, res),
    async collect() {
      const { resourceMetrics } = await ops.collect()
      return resourceMetrics
    },
    async shutdown() {
      if (registered) metrics.disable()
      await provider.shutdown()
    },
  }
}
