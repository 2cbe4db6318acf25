import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import type { AuthcodeRouter } from '../lib/index.js'
import { buildApp, issue, tokenRequest } from './helpers/app.js'
import { codesOptions, codesRequest, expectOneIssued } from './helpers/codes.js'
import { fanOut, statusAndError, tally } from './helpers/fan-out.js'
import { connectTo, type HttpClient } from './helpers/http.js'
import { startWorker, type Worker } from './helpers/processes.js'
import type { TestCluster } from './helpers/redis-cluster.js'
import { keysUnder, uniquePrefix, type TestRedis } from './helpers/redis.js'

/** Where the worker processes find Redis, and a connection of this process to the same Redis. */
export interface SharedRedis {
  env: Record<string, string>
  connect(): Promise<TestRedis | TestCluster>
}

/**
 * Single use and idempotency across `processes` app processes sharing one Redis (standalone
 * or cluster): each process is its own Node.js, so only Redis can keep them consistent.
 */
export function processSuite(shared: () => SharedRedis, processes = 4): void {
  let workers: Worker<{ port: number }>[] = []
  let clients: HttpClient[] = []
  let redis: TestRedis | TestCluster | undefined
  let keyPrefix: string
  let auth: AuthcodeRouter

  before(async function () {
    this.timeout(60_000)
    keyPrefix = uniquePrefix()
    workers = await Promise.all(
      Array.from({ length: processes }, () => startWorker<{ port: number }>('codes-server', { ...shared().env, KEY_PREFIX: keyPrefix })),
    )
    clients = workers.map((w) => connectTo(w.hello.port))
    redis = await shared().connect()
    ;({ auth } = buildApp(codesOptions({ redis, keyPrefix })))
  })
  after(async () => {
    await Promise.all(clients.map((c) => c.close()))
    await Promise.all(workers.map((w) => w.stop()))
    await redis?.close()
  })

  /** The i-th of concurrent requests goes to process i % processes. */
  const toProcess = (i: number) => clients[i % clients.length] as HttpClient

  it(`gives exactly 50 successes and 450 invalid_grant for 500 concurrent redemptions of 50 codes over ${processes} processes`, async function () {
    this.timeout(60_000)
    const codes = await fanOut(50, () => issue(auth))
    // Presentations of one code land on different processes (i % processes differs for i, i + 50, …).
    const answers = await fanOut(500, (i) => toProcess(i).send(tokenRequest(codes[i % 50] as string)))
    expect(tally(answers, statusAndError)).to.deep.equal({ '200 ok': 50, '400 invalid_grant': 450 })
    // And each code exactly once, whatever process its winning presentation reached.
    for (let c = 0; c < 50; c++) {
      const presentations = answers.filter((_, i) => i % 50 === c)
      expect(tally(presentations, statusAndError), `code ${c}`).to.deep.equal({ '200 ok': 1, '400 invalid_grant': 9 })
    }
  })

  it(`issues one code for one Idempotency-Key sent to all ${processes} processes at once`, async function () {
    this.timeout(60_000)
    const codeKeys = async () => (await keysUnder(redis as TestRedis | TestCluster, keyPrefix)).filter((key) => key.includes('}code:'))
    const codesBefore = (await codeKeys()).length
    // Each process prints one line per CodeIssued event it fired.
    let issuedLines = 0
    const countIssued = (chunk: Buffer) => void (issuedLines += chunk.toString().split('"issued"').length - 1)
    for (const worker of workers) worker.child.stdout?.on('data', countIssued)
    try {
      const key = randomUUID()
      const answers = await fanOut(50, (i) => toProcess(i).send(codesRequest({ external_user_id: 'u-idem' }, { 'idempotency-key': key })))
      expectOneIssued(answers)
      const issued = answers.filter((a) => a.status === 201)
      expect(new Set(issued.map((a) => a.json?.code)).size).to.equal(1)
      // Child stdout may trail the HTTP answers: wait for the line, then require exactly one.
      for (let i = 0; i < 200 && issuedLines === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(issuedLines, 'CodeIssued events').to.equal(1)
      expect((await codeKeys()).length - codesBefore, 'codes stored').to.equal(1)
    } finally {
      for (const worker of workers) worker.child.stdout?.off('data', countIssued)
    }
  })

  it(`evaluates no more than maxAttempts of 60 concurrent wrong passcodes over ${processes} processes, and burns the grant`, async function () {
    this.timeout(60_000)
    const subject = `otp-${randomUUID()}`
    const issued = await toProcess(0).send(codesRequest({ external_user_id: subject, otp: true }))
    expect(issued.status, issued.text).to.equal(201)
    const right = String(issued.json?.otp)
    const wrong = right === '000000' ? '000001' : '000000'
    const post = (otp: string) => ({
      method: 'POST' as const,
      path: '/otp',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subject, otp }),
    })
    const answers = await fanOut(60, (i) => toProcess(i).send(post(wrong)))
    const said = tally(answers, (a) => String(a.json?.description).replace(/\d+ more tr(y|ies)/, 'n more'))
    // The default otp.maxAttempts is 5: 4 wrong ones counted, the 5th burns, the rest find nothing to evaluate.
    expect(said).to.deep.equal({
      'The passcode is wrong; n more.': 4,
      'Too many wrong passcodes: this sign-in can no longer be used.': 1,
      'The passcode is not valid, or was used already.': 55,
    })
    expect((await toProcess(1).send(post(right))).status, 'the right passcode after the burn').to.equal(400)
  })
}
