import type { Bench, Target } from './target.js'

/** Seconds per load run within a soak; codes are prepared per run, so none outlives its TTL. */
const SEGMENT = 10

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1)

/**
 * Runs one endpoint for `seconds` in back-to-back segments and compares the target's RSS after
 * the warm-up with its RSS at the end. Both are read right after a load run, so they compare
 * like with like.
 */
export async function soak(target: Target, bench: Bench, seconds: number, warmup: number): Promise<void> {
  await target.measure(bench, warmup)
  const start = await target.rss()
  console.log(`soak ${target.scenario.name} for ${seconds} s; RSS after warm-up ${mb(start)} MiB`)
  for (let elapsed = 0; elapsed < seconds; elapsed += SEGMENT) {
    const m = await target.measure(bench, Math.min(SEGMENT, seconds - elapsed))
    const rss = await target.rss()
    const odd = Object.keys(m.unexpected).length ? ` unexpected ${JSON.stringify(m.unexpected)}` : ''
    console.log(`${elapsed + Math.min(SEGMENT, seconds - elapsed)} s: ${Math.round(m.rps)} req/s, RSS ${mb(rss)} MiB${odd}`)
  }
  const end = await target.rss()
  const change = ((end - start) / start) * 100
  console.log(
    `RSS start ${mb(start)} MiB, end ${mb(end)} MiB, change ${change.toFixed(1)} % (target within ±10 %): ${Math.abs(change) <= 10 ? 'met' : 'NOT met'}`,
  )
}
