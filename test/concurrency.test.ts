import { expect } from 'chai'
import type { AddressInfo } from 'node:net'
import { MemoryStore } from '../lib/index.js'
import { baseOptions, buildApp, issue, MOUNT, tokenForm } from './helpers/app.js'
import { startWorker, type Worker } from './helpers/processes.js'
import { connectRedis, uniquePrefix, type TestRedis } from './helpers/redis.js'
import { redisUrl } from './helpers/root-hooks.js'

/** Presents one form to /token on every base URL at once, `total` times in all; tallies status and error. */
async function presentConcurrently(baseUrls: string[], form: Record<string, string>, total: number): Promise<Map<string, number>> {
  const body = new URLSearchParams(form).toString()
  const outcomes = await Promise.all(
    Array.from({ length: total }, async (_, i) => {
      const res = await fetch(`${baseUrls[i % baseUrls.length]}${MOUNT}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
      const json = (await res.json()) as { error?: string }
      return `${res.status} ${json.error ?? 'ok'}`
    }),
  )
  const tally = new Map<string, number>()
  for (const outcome of outcomes) tally.set(outcome, (tally.get(outcome) ?? 0) + 1)
  return tally
}

describe('concurrent redemption of one code', () => {
  it('gives exactly one success among 200 presentations split across 2 processes on one Redis', async function () {
    this.timeout(60_000)
    const keyPrefix = uniquePrefix()
    const workers: Worker<{ port: number }>[] = []
    let redis: TestRedis | undefined
    try {
      workers.push(
        ...(await Promise.all(
          [1, 2].map(() => startWorker<{ port: number }>('token-server', { REDIS_URL: redisUrl(), KEY_PREFIX: keyPrefix })),
        )),
      )
      redis = await connectRedis()
      const { auth } = buildApp(baseOptions({ redis, keyPrefix }))
      const code = await issue(auth)
      const tally = await presentConcurrently(
        workers.map((w) => `http://127.0.0.1:${w.hello.port}`),
        tokenForm(code),
        200,
      )
      expect(Object.fromEntries(tally)).to.deep.equal({ '200 ok': 1, '400 invalid_grant': 199 })
    } finally {
      await Promise.all(workers.map((w) => w.stop()))
      await redis?.close()
    }
  })

  it('gives exactly one success among 200 presentations to one process on MemoryStore', async () => {
    const store = new MemoryStore()
    const { app, auth } = buildApp(baseOptions({ store }))
    const server = app.listen(0, '127.0.0.1')
    try {
      await new Promise((resolve) => server.once('listening', resolve))
      const code = await issue(auth)
      const tally = await presentConcurrently([`http://127.0.0.1:${(server.address() as AddressInfo).port}`], tokenForm(code), 200)
      expect(Object.fromEntries(tally)).to.deep.equal({ '200 ok': 1, '400 invalid_grant': 199 })
    } finally {
      server.close()
      store.close()
    }
  })
})
