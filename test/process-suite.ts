import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import { RedisStore, type AuthcodeRouter } from '../lib/index.js'
import { PASSCODE_REFUSED } from '../lib/engine/redeem-passcode.js'
import type { StoredCode } from '../types/index.js'
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
  let guessers: Worker<{ ready: boolean }>[] = []
  let clients: HttpClient[] = []
  let redis: TestRedis | TestCluster | undefined
  let keyPrefix: string
  let auth: AuthcodeRouter

  before(async function () {
    this.timeout(60_000)
    keyPrefix = uniquePrefix()
    const env = { ...shared().env, KEY_PREFIX: keyPrefix }
    ;[workers, guessers] = await Promise.all([
      Promise.all(Array.from({ length: processes }, () => startWorker<{ port: number }>('codes-server', env))),
      Promise.all(Array.from({ length: processes }, () => startWorker<{ ready: boolean }>('passcode-guesser', env))),
    ])
    clients = workers.map((w) => connectTo(w.hello.port))
    redis = await shared().connect()
    ;({ auth } = buildApp(codesOptions({ redis, keyPrefix })))
  })
  after(async () => {
    await Promise.all(clients.map((c) => c.close()))
    await Promise.all([...workers, ...guessers].map((w) => w.stop()))
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

  it(`refuses 60 concurrent wrong passcodes over ${processes} processes alike, and burns the grant`, async function () {
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
    // No answer says how many tries are left, or whether the user has a passcode at all.
    expect(tally(answers, (a) => `${a.status} ${String(a.json?.description)}`)).to.deep.equal({ [`400 ${PASSCODE_REFUSED}`]: 60 })
    expect((await toProcess(1).send(post(right))).status, 'the right passcode after the burn').to.equal(400)
  })

  describe(`wrong passcodes from ${processes} processes at once, through their own RedisStore`, () => {
    /** Saves a live passcode for `group` whose right HMAC no guesser sends. */
    async function grant(group: string, maxAttempts: number): Promise<string> {
      const id = randomUUID()
      const saved: StoredCode = {
        value: 'sealed',
        expiresAt: Date.now() + 60_000,
        owner: { group: `owner-${group}`, clientId: 'crm' },
        passcode: { group, mac: 'the-right-mac', wrappedKey: 'wrapped', maxAttempts },
      }
      expect(await store().save(id, saved)).to.equal(true)
      return id
    }
    const store = () => new RedisStore({ client: redis as TestRedis | TestCluster, prefix: keyPrefix })

    /** Has every guesser present `guesses` wrong passcodes at once, and adds up how they fared. */
    async function guess(group: string, guesses: number, maxFailures: number): Promise<Record<string, number>> {
      const answers = guessers.map((g) => nextLine(g.child))
      for (const g of guessers) g.child.stdin?.write(`${JSON.stringify({ group, guesses, maxFailures })}\n`)
      const total: Record<string, number> = {}
      for (const answer of await Promise.all(answers))
        for (const [status, n] of Object.entries(answer)) total[status] = (total[status] ?? 0) + n
      return total
    }

    it(`evaluates at most maxAttempts of ${processes * 25} for one grant`, async function () {
      this.timeout(30_000)
      const group = `g-${randomUUID()}`
      await grant(group, 5)
      expect(await guess(group, 25, 1000)).to.deep.equal({ wrong: 4, burned: 1, missing: processes * 25 - 5 })
    })

    it(`evaluates at most otp.maxFailuresPerWindow of ${processes * 25} across two grants, refusing the rest unread`, async function () {
      this.timeout(30_000)
      const group = `g-${randomUUID()}`
      const first = await grant(group, 10)
      const before = await guess(group, 25, 4)
      const second = await grant(group, 10)
      const after = await guess(group, 25, 4)
      const evaluated = (t: Record<string, number>) => (t.wrong ?? 0) + (t.burned ?? 0)
      // Exactly 4 reserved, each evaluated.
      expect(before.locked, JSON.stringify(before)).to.equal(processes * 25 - 4)
      expect(evaluated(before) + (before.missing ?? 0), JSON.stringify(before)).to.equal(4)
      expect(after, 'a new grant buys no new guesses').to.deep.equal({ locked: processes * 25 })
      // Neither grant spent its own 10 attempts, and a locked group's passcodes are refused unread: both links still work.
      expect((await store().consume(first)).status, 'a replaced passcode keeps its link').to.equal('consumed')
      expect((await store().consume(second)).status, 'a locked grant keeps its link').to.equal('consumed')
    })
  })
}

/** The next line `child` prints, as JSON. */
function nextLine(child: ChildProcess): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    let buffered = ''
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString()
      const end = buffered.indexOf('\n')
      if (end < 0) return
      child.stdout?.off('data', onData)
      resolve(JSON.parse(buffered.slice(0, end)) as Record<string, number>)
    }
    child.stdout?.on('data', onData)
  })
}
