import { expect } from 'chai'
import type { AuthcodeRouter } from '../lib/index.js'
import type { Express } from 'express'
import { buildApp } from './helpers/app.js'
import { fanOut, statusAndError, tally } from './helpers/fan-out.js'
import { connectTo, type HttpClient } from './helpers/http.js'
import { startWorker, type Worker } from './helpers/processes.js'
import type { TestCluster } from './helpers/redis-cluster.js'
import { uniquePrefix, type TestRedis } from './helpers/redis.js'
import { firstRefreshToken, refreshOptions, refreshRequest } from './helpers/refresh.js'
import type { SharedRedis } from './process-suite.js'

/**
 * Refresh-token rotation across `processes` app processes sharing one Redis (standalone or
 * cluster): each process is its own Node.js, so only the one rotation script can keep a token
 * single-use between them.
 */
export function refreshProcessSuite(shared: () => SharedRedis, processes = 4): void {
  let workers: Worker<{ port: number }>[] = []
  let clients: HttpClient[] = []
  let redis: TestRedis | TestCluster | undefined
  let app: Express
  let auth: AuthcodeRouter
  let reusedLines = 0
  /** Counts the whole `{"reused":true}` lines a worker prints (a chunk may end inside one). */
  const countReused = () => {
    let partial = ''
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n')
      partial = lines.pop() ?? ''
      reusedLines += lines.filter((line) => line.includes('"reused"')).length
    }
  }

  before(async function () {
    this.timeout(60_000)
    const keyPrefix = uniquePrefix()
    const env = { ...shared().env, KEY_PREFIX: keyPrefix }
    workers = await Promise.all(Array.from({ length: processes }, () => startWorker<{ port: number }>('refresh-server', env)))
    for (const worker of workers) worker.child.stdout?.on('data', countReused())
    clients = workers.map((w) => connectTo(w.hello.port))
    redis = await shared().connect()
    ;({ app, auth } = buildApp(refreshOptions({ redis, keyPrefix }).options))
  })
  after(async () => {
    await Promise.all(clients.map((c) => c.close()))
    await Promise.all(workers.map((w) => w.stop()))
    await redis?.close()
  })

  /** The i-th of concurrent requests goes to process i % processes. */
  const toProcess = (i: number) => clients[i % clients.length] as HttpClient

  /** Waits for child stdout, which may trail the HTTP answers, to report `expected` reuse events. */
  async function reusedEvents(expected: number): Promise<number> {
    for (let i = 0; i < 200 && reusedLines < expected; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    return reusedLines
  }

  it(`gives exactly one success to 40 concurrent refreshes of one token over ${processes} processes; the 39 others revoke its family, the winner's new token included`, async function () {
    this.timeout(30_000)
    reusedLines = 0
    const token = await firstRefreshToken(app, auth)
    const answers = await fanOut(40, (i) => toProcess(i).send(refreshRequest(token)))
    expect(tally(answers, statusAndError)).to.deep.equal({ '200 ok': 1, '400 invalid_grant': 39 })
    const successor = answers.find((a) => a.status === 200)?.json?.refresh_token as string
    expect(successor).to.match(/^[A-Za-z0-9_-]{43}$/)
    expect(statusAndError(await toProcess(1).send(refreshRequest(successor))), "the winner's successor").to.equal('400 invalid_grant')
    expect(await reusedEvents(39), 'RefreshTokenReuseDetected events').to.equal(39)
  })

  it(`gives exactly 20 successes to 200 concurrent refreshes of 20 tokens over ${processes} processes`, async function () {
    this.timeout(30_000)
    const tokens = await fanOut(20, () => firstRefreshToken(app, auth))
    // Presentations of one token land on different processes (i % processes differs for i, i + 20, …).
    const answers = await fanOut(200, (i) => toProcess(i).send(refreshRequest(tokens[i % 20] as string)))
    for (let t = 0; t < 20; t++) {
      const presentations = answers.filter((_, i) => i % 20 === t)
      expect(tally(presentations, statusAndError), `token ${t}`).to.deep.equal({ '200 ok': 1, '400 invalid_grant': 9 })
    }
  })
}
