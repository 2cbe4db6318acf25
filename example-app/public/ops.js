// The ops page's charts: polls /ops/data.json every 2 seconds and draws each series as a small
// inline SVG line chart. No dependencies; served as a file, since the page's CSP allows no inline script.
'use strict'

const SVG = 'http://www.w3.org/2000/svg'
const POLL_MS = 2000
const LABELS = { magic_link: 'magic link', authorize: '/authorize', capture: 'Capture', unknown: 'unknown code' }
/** The plot area inside the 300 × 120 view box: room for the y labels on the left and the x labels below. */
const PLOT = { left: 40, right: 296, top: 8, bottom: 98 }

function element(name, attributes, parent) {
  const node = document.createElementNS(SVG, name)
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value))
  parent.appendChild(node)
  return node
}

/** A round upper bound for the y axis: 1, 2, 5, 10, 20, 50, … */
function niceMax(value) {
  if (value <= 1) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  return [1, 2, 5, 10].map((step) => step * power).find((bound) => bound >= value)
}

function format(value, unit) {
  if (unit === 'ms') return value >= 10 ? `${Math.round(value)} ms` : `${Number(value.toFixed(2))} ms`
  return String(value)
}

/** Draws `lines` ({ kind, values }) into the figure's svg, with axes, and returns nothing. */
function draw(svg, lines, bucketSeconds, unit) {
  svg.replaceChildren()
  const length = lines[0] ? lines[0].values.length : 0
  const top = niceMax(Math.max(0, ...lines.flatMap((line) => line.values.filter((v) => v !== null))))
  const x = (i) => PLOT.left + ((PLOT.right - PLOT.left) * i) / Math.max(1, length - 1)
  const y = (v) => PLOT.bottom - ((PLOT.bottom - PLOT.top) * v) / top
  // Counts are whole numbers: no gridline at 0.5.
  const marks = unit === 'ms' || top >= 2 ? [0, top / 2, top] : [0, top]
  for (const value of marks) {
    element('line', { class: 'grid', x1: PLOT.left, x2: PLOT.right, y1: y(value), y2: y(value) }, svg)
    element('text', { class: 'axis', x: PLOT.left - 4, y: y(value) + 3, 'text-anchor': 'end' }, svg).textContent = format(value, unit)
  }
  const minutes = Math.round((length * bucketSeconds) / 60)
  element('text', { class: 'axis', x: PLOT.left, y: 114 }, svg).textContent = `−${minutes} min`
  element('text', { class: 'axis', x: PLOT.right, y: 114, 'text-anchor': 'end' }, svg).textContent = 'now'
  // Lines that stayed at zero go underneath, faded, so they never hide one that moved.
  const idle = (line) => line.values.every((v) => !v)
  for (const { kind, values } of [...lines.filter(idle), ...lines.filter((line) => !idle(line))]) {
    const points = values.flatMap((v, i) => (v === null ? [] : [`${x(i).toFixed(1)},${y(v).toFixed(1)}`]))
    if (points.length === 0) continue
    const still = values.every((v) => !v)
    element('polyline', { class: `line kind-${kind}${still ? ' idle' : ''}`, points: points.join(' ') }, svg)
    const last = values.length - 1
    if (!still && values[last] !== null) element('circle', { class: `dot kind-${kind}`, cx: x(last), cy: y(values[last]), r: 2.5 }, svg)
  }
}

function legend(list, entries) {
  list.replaceChildren()
  for (const { kind, text } of entries) {
    const item = document.createElement('li')
    const swatch = document.createElement('span')
    swatch.className = `swatch kind-${kind}`
    item.append(swatch, text)
    list.appendChild(item)
  }
}

const sum = (values) => values.reduce((total, v) => total + (v ?? 0), 0)

function showCounts(figure, byKind, bucketSeconds) {
  const lines = Object.entries(byKind).map(([kind, values]) => ({ kind, values }))
  const total = sum(lines.map((line) => sum(line.values)))
  figure.dataset.total = String(total)
  figure.querySelector('.chart-total').textContent = String(total)
  draw(figure.querySelector('svg'), lines, bucketSeconds, '')
  legend(
    figure.querySelector('.legend'),
    lines
      .filter((line) => line.kind !== 'unknown' || sum(line.values) > 0)
      .map((line) => ({ kind: line.kind, text: `${LABELS[line.kind] ?? line.kind} ${sum(line.values)}` })),
  )
}

function showLatency(figure, data) {
  const operations = sum(data.storeOperations)
  const weighted = data.storeLatencyMs.reduce((total, ms, i) => total + (ms ?? 0) * data.storeOperations[i], 0)
  figure.dataset.total = String(operations)
  figure.querySelector('.chart-total').textContent = operations > 0 ? format(weighted / operations, 'ms') : '–'
  draw(figure.querySelector('svg'), [{ kind: 'latency', values: data.storeLatencyMs }], data.bucketSeconds, 'ms')
  legend(figure.querySelector('.legend'), [{ kind: 'latency', text: `mean per operation, ${operations} operations` }])
}

function showHealth(health) {
  const card = document.getElementById('ops-health')
  const store = health.store
  card.classList.toggle('bad', !health.ok)
  card.querySelector('.chart-total').textContent = health.ok ? 'OK' : 'NOT OK'
  const facts = [
    store.ok ? 'Store healthy' : 'Store NOT healthy',
    `${format(store.latencyMs, 'ms')} round trip (PING)`,
    store.evictionPolicy === undefined ? 'no eviction policy to check' : `maxmemory-policy ${store.evictionPolicy}`,
    ...(store.replicas === undefined ? [] : [`${store.replicas} replica${store.replicas === 1 ? '' : 's'} connected`]),
  ]
  const list = card.querySelector('ul')
  list.replaceChildren(
    ...facts.map((fact) => {
      const item = document.createElement('li')
      item.textContent = fact
      return item
    }),
    // Why it is NOT OK, and what to do about it: auth.health() says both.
    ...(store.problems ?? []).map((problem) => {
      const item = document.createElement('li')
      item.className = 'problem'
      const fix = document.createElement('code')
      fix.textContent = problem.fix
      item.append(`Problem: ${problem.reason}. Fix: `, fix)
      return item
    }),
  )
}

async function refresh() {
  try {
    const response = await fetch('/ops/data.json', { cache: 'no-store' })
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    const data = await response.json()
    for (const figure of document.querySelectorAll('figure.chart')) {
      const chart = figure.dataset.chart
      if (chart === 'latency') showLatency(figure, data)
      else showCounts(figure, data.charts[chart], data.bucketSeconds)
    }
    showHealth(data.health)
    document.body.dataset.updated = new Date().toISOString()
  } catch (err) {
    const card = document.getElementById('ops-health')
    card.classList.add('bad')
    card.querySelector('ul').textContent = `Could not load /ops/data.json: ${err.message}`
  } finally {
    setTimeout(refresh, POLL_MS)
  }
}

refresh()
