import { Router } from 'express'
import { html } from '../html.js'
import { sendPage } from '../layout.js'
import type { OpsSeries } from '../ops-series.js'
import { SCRIPTED_PAGE_CSP } from '../security-headers.js'
import type { ExampleTelemetry } from '../telemetry.js'

const CHARTS = [
  { id: 'issued', title: 'Codes issued' },
  { id: 'redeemed', title: 'Codes redeemed' },
  { id: 'reused', title: 'Reuse detected' },
  { id: 'failed', title: 'Failed redemptions' },
  { id: 'latency', title: 'Store latency' },
]

/**
 * `GET /metrics` (Prometheus), `GET /ops` (charts of the last minutes and `auth.health()`, drawn
 * by `/static/ops.js`) and `GET /ops/data.json`, which the page polls. A production host would
 * serve these on an internal port, not next to its sign-in pages.
 */
export function opsRoutes(telemetry: ExampleTelemetry, series: OpsSeries): Router {
  const router = Router()
  router.get('/metrics', telemetry.prometheus)
  router.get('/ops', (req, res) => {
    res.set('Content-Security-Policy', SCRIPTED_PAGE_CSP)
    sendPage(
      req,
      res,
      'Operations',
      html`<p class="lead">
          What express-authcode reports through OpenTelemetry, in 10-second buckets over the last 5 minutes, updated every 2 seconds.
          Prometheus scrapes the same instruments at <a href="/metrics">/metrics</a>.
        </p>
        <div class="ops-grid">
          ${CHARTS.map(
            (chart) =>
              html`<figure class="chart" id="chart-${chart.id}" data-chart="${chart.id}" data-total="">
                <figcaption><span>${chart.title}</span> <strong class="chart-total">…</strong></figcaption>
                <svg viewBox="0 0 300 120" role="img" aria-label="${chart.title} over the last 5 minutes"></svg>
                <ul class="legend"></ul>
              </figure>`,
          )}
          <section class="chart health" id="ops-health">
            <h2><span>auth.health()</span> <strong class="chart-total">…</strong></h2>
            <ul>
              <li>Checking the store…</li>
            </ul>
          </section>
        </div>
        <script src="/static/ops.js" defer></script>`,
    )
  })
  router.get('/ops/data.json', async (_req, res, next) => {
    try {
      res.set('Cache-Control', 'no-store').json(await series.snapshot())
    } catch (err) {
      next(err)
    }
  })
  return router
}
