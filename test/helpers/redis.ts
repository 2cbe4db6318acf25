import { randomUUID } from 'node:crypto'
import { createClient } from 'redis'
import { redisUrl } from './root-hooks.js'

const connect = (url: string) => createClient({ url })
export type TestRedis = ReturnType<typeof connect>

/** A connected client on the test Redis; close it in `after`. */
export async function connectRedis(url = redisUrl()): Promise<TestRedis> {
  const client = connect(url)
  client.on('error', () => undefined)
  await client.connect()
  return client
}

/** A key prefix no other test uses, so tests on a shared Redis never see each other's keys. */
export function uniquePrefix(): string {
  return `t:${randomUUID().slice(0, 8)}:`
}

/** Every key under `prefix`. */
export async function keysUnder(client: TestRedis, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) keys.push(...batch)
  return keys
}
