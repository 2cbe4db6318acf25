import type { Bench, Measurement, Target } from './target.js'

/** How long and how often each target is measured. */
export interface RoundSettings {
  rounds: number
  seconds: number
  warmup: number
}

/**
 * Warms each target up, then measures them in interleaved rounds (each round starts one target
 * later, so no target always runs first or last). `benchOf` gives the load generator and the
 * Redis servers of each target; `profile`, a file for a CPU profile of a round, if any.
 */
export async function measureRounds(
  targets: Target[],
  benchOf: (target: Target) => Bench,
  settings: RoundSettings,
  profile: (target: Target, round: number) => string | undefined = () => undefined,
): Promise<Map<Target, Measurement[]>> {
  const measured = new Map<Target, Measurement[]>(targets.map((t) => [t, []]))
  for (const target of targets) await target.measure(benchOf(target), settings.warmup)
  for (let r = 0; r < settings.rounds; r++) {
    const order = targets.map((_, i) => targets[(i + r) % targets.length] as Target)
    for (const target of order) {
      const m = await target.measure(benchOf(target), settings.seconds, profile(target, r + 1))
      measured.get(target)?.push(m)
      console.log(`round ${r + 1}: ${target.label}: ${Math.round(m.rps)} req/s, ${m.roundTrips.toFixed(2)} Redis round trips/req`)
    }
  }
  return measured
}
