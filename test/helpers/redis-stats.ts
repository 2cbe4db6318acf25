import { connectRedis, type TestRedis } from './redis.js'

/** Calls per command since the server started, from `INFO commandstats`. */
export async function commandCalls(redis: TestRedis): Promise<Map<string, number>> {
  const calls = new Map<string, number>()
  for (const match of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(match[1] as string, Number(match[2]))
  }
  return calls
}

/** Commands the server ran between two {@link commandCalls} snapshots, `INFO` itself left out. */
export function commandsBetween(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const delta: Record<string, number> = {}
  for (const [name, count] of after) {
    const ran = count - (before.get(name) ?? 0)
    if (ran > 0 && name !== 'info') delta[name] = ran
  }
  return delta
}

/** Every key under `prefix` with its value as text (strings, hashes and anything else via DUMP). */
export async function dumpUnder(redis: TestRedis, prefix: string): Promise<Array<{ key: string; value: string }>> {
  const entries: Array<{ key: string; value: string }> = []
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    for (const key of batch) {
      const type = await redis.type(key)
      const value =
        type === 'string'
          ? await redis.get(key)
          : type === 'hash'
            ? JSON.stringify(await redis.hGetAll(key))
            : JSON.stringify(await redis.dump(key))
      entries.push({ key, value: String(value) })
    }
  }
  return entries
}

/**
 * Runs `action` and returns the commands clients sent meanwhile (MONITOR, so commands that
 * scripts run inside Redis are left out), as `name` lines, e.g. `evalsha`.
 */
export async function clientCommandsDuring(action: () => Promise<void>): Promise<string[]> {
  const [monitor, marker] = await Promise.all([connectRedis(), connectRedis()])
  const lines: string[] = []
  try {
    await monitor.monitor((line: string) => lines.push(line))
    await action()
    // MONITOR output may trail the replies; an ECHO from another connection marks the end.
    await marker.sendCommand(['ECHO', 'end-of-measure'])
    for (let i = 0; i < 100 && !lines.some((l) => l.includes('end-of-measure')); i++)
      await new Promise((resolve) => setTimeout(resolve, 10))
  } finally {
    monitor.destroy()
    await marker.close()
  }
  const end = lines.findIndex((l) => l.includes('end-of-measure'))
  return lines
    .slice(0, end)
    .filter((l) => !/\[\d+ lua\]/.test(l))
    .map((l) => (/"([^"]+)"/.exec(l)?.[1] ?? l).toLowerCase())
}
