/** A clock that stands still until told to move: time passes in a test without waiting. */
export interface FakeClock {
  /** The clock's time in milliseconds since the epoch; pass it as a store's `now`. */
  now: () => number
  /** Moves the clock `ms` milliseconds on. */
  advance(ms: number): void
}

/** A {@link FakeClock} that starts at `start` (by default the real time now). */
export function fakeClock(start = Date.now()): FakeClock {
  let time = start
  return {
    now: () => time,
    advance: (ms) => {
      time += ms
    },
  }
}

/** Waits `ms` real milliseconds: only for what runs on real time, such as Redis TTLs. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Polls `probe` on real time until it holds, or rejects naming `what` after `ms` milliseconds. A
 * probe that throws or rejects counts as not holding yet (what it asks may still be coming back);
 * the last such error is the timeout's `cause`.
 */
export async function until(what: string, probe: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  let lastError: unknown
  for (;;) {
    try {
      if (await probe()) return
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) throw new Error(`${what} did not happen within ${ms} ms`, { cause: lastError })
    await sleep(20)
  }
}
