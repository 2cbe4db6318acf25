import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import type { AuthcodeRouter } from '../lib/index.js'
import type { RedisConnection } from '../types/index.js'
import { buildApp, issue, MOUNT, tokenForm } from './helpers/app.js'
import { codesOptions, SERVICE_TOKEN } from './helpers/codes.js'
import { startWorker, type Worker } from './helpers/processes.js'
import { uniquePrefix } from './helpers/redis.js'

/** Where the worker processes find Redis, and a connection of this process to the same Redis. */
export interface SharedRedis {
  env: Record<string, string>
  connect(): Promise<RedisConnection & { close(): Promise<void> }>
}

/** Sends `count` requests at once, spread round-robin over the workers; resolves status and JSON body of each. */
async function spread(workers: Worker<{ port: number }>[], count: number, build: (i: number) => { path: string; init: RequestInit }) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const { path, init } = build(i)
      const res = await fetch(`http://127.0.0.1:${workers[i % workers.length]?.hello.port}${MOUNT}${path}`, init)
      return {
        status: res.status,
        replayed: res.headers.get('idempotent-replayed') === 'true',
        body: (await res.json()) as Record<string, unknown>,
      }
    }),
  )
}

/**
 * Single use and idempotency across `processes` app processes sharing one Redis (standalone
 * or cluster): each process is its own Node.js, so only Redis can keep them consistent.
 */
export function processSuite(shared: () => SharedRedis, processes = 4): void {
  let workers: Worker<{ port: number }>[] = []
  let redis: Awaited<ReturnType<SharedRedis['connect']>>
  let auth: AuthcodeRouter

  before(async function () {
    this.timeout(60_000)
    const keyPrefix = uniquePrefix()
    workers = await Promise.all(
      Array.from({ length: processes }, () => startWorker<{ port: number }>('codes-server', { ...shared().env, KEY_PREFIX: keyPrefix })),
    )
    redis = await shared().connect()
    ;({ auth } = buildApp(codesOptions({ redis, keyPrefix })))
  })
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()))
    await redis?.close()
  })

  it(`gives exactly 50 successes and 450 invalid_grant for 500 concurrent redemptions of 50 codes over ${processes} processes`, async function () {
    this.timeout(60_000)
    const codes = await Promise.all(Array.from({ length: 50 }, () => issue(auth)))
    const answers = await spread(workers, 500, (i) => ({
      path: '/token',
      // Presentations of one code land on different processes (i % processes differs for i, i + 50, …).
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(tokenForm(codes[i % 50] as string)).toString(),
      },
    }))
    const tally: Record<string, number> = {}
    for (const { status, body } of answers) tally[`${status} ${body.error ?? 'ok'}`] = (tally[`${status} ${body.error ?? 'ok'}`] ?? 0) + 1
    expect(tally).to.deep.equal({ '200 ok': 50, '400 invalid_grant': 450 })
  })

  it(`issues one code for one Idempotency-Key sent to all ${processes} processes at once`, async function () {
    this.timeout(60_000)
    const key = randomUUID()
    const answers = await spread(workers, 8 * processes, () => ({
      path: '/codes',
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_TOKEN}`, 'idempotency-key': key },
        body: JSON.stringify({ external_user_id: 'u-idem' }),
      },
    }))
    const issued = answers.filter((a) => a.status === 201)
    expect(
      issued.filter((a) => !a.replayed),
      'fresh 201s',
    ).to.have.length(1)
    expect(new Set(issued.map((a) => a.body.code)).size).to.equal(1)
    for (const other of answers.filter((a) => a.status !== 201)) expect(other.status).to.equal(409)
  })
}
