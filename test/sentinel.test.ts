import { expect } from 'chai'
import type { AuthcodeOptions } from '../types/index.js'
import { baseOptions, buildApp, issue, tokenRequest } from './helpers/app.js'
import { sleep, until } from './helpers/clock.js'
import { statusAndError, tally } from './helpers/fan-out.js'
import { serve, type HttpClient } from './helpers/http.js'
import { connectIoredisSentinel } from './helpers/ioredis.js'
import { connectSentinel, RedisSentinelGroup, SENTINEL_MASTER_NAME } from './helpers/redis-sentinel.js'
import { uniquePrefix } from './helpers/redis.js'

/** Codes issued before the failover. */
const CODES = 300
/** Presentations in flight at once. */
const WORKERS = 16
/** The replicas are cut off once this many codes were granted: the rest are redeemed across the failover. */
const CUT_AFTER_GRANTS = 80
/** How long the master goes on alone, its replicas cut off, before it is killed. */
const ALONE_MS = 300
/** What a failover of this group (down-after-milliseconds 1000) may take, kill to first grant. */
const RECOVERY_BUDGET_MS = 15_000
/** What `/token` may answer, ever: a grant, a refusal, or a store unavailable during the failover. */
const EXPECTED = new Set(['200 ok', '400 invalid_grant', '503 temporarily_unavailable'])

/** One presentation of a code, sent and answered at ms from the start of the run. */
interface Presentation {
  code: string
  outcome: string
  sent: number
  at: number
}

/** What {@link redeemAcrossFailover} saw. */
interface FailoverRun {
  presentations: Presentation[]
  /** Grants per code, across the run and the two sweeps after it. */
  grants: Map<string, number>
  /** Outcomes of presenting every code again after the failover, twice. */
  sweeps: [Record<string, number>, Record<string, number>]
  /** When the replicas were cut off, and when the master was killed, in ms from the start. */
  cutAt: number
  killedAt: number
  /** The first grant of a code presented after the master was gone, in ms after the kill. */
  recoveredAfterMs: number | undefined
  /** When every sentinel named the new master and a replica was online with it, in ms after the kill. */
  failedOverAfterMs: number
  /** What the router logged as errors (a 5xx other than store-unavailable is logged). */
  logged: unknown[]
}

describe('Sentinel: the master killed during redemptions (1 master, 2 replicas, 3 sentinels)', function () {
  this.timeout(30_000)
  let group: RedisSentinelGroup | undefined
  let sentinel: { destroy(): Promise<unknown> } | undefined
  let served: HttpClient | undefined

  afterEach(async () => {
    await served?.close().catch(() => undefined)
    await sentinel?.destroy().catch(() => undefined)
    await group?.stop()
    group = sentinel = served = undefined
  })

  /**
   * Issues {@link CODES} codes and redeems them with {@link WORKERS} presentations in flight.
   * Once {@link CUT_AFTER_GRANTS} were granted, the replicas fall behind (frozen, their links
   * cut), the master goes on alone for {@link ALONE_MS}, and is SIGKILLed: what it wrote
   * meanwhile is what a failover loses. Presentations go on through the failover, each of a
   * random code (granted or not, so a resurrected code would be granted again), until grants
   * resumed; then every code is presented twice more.
   */
  async function redeemAcrossFailover(options: Partial<AuthcodeOptions>, library = 'node-redis'): Promise<FailoverRun> {
    group = await RedisSentinelGroup.start()
    let redis: NonNullable<AuthcodeOptions['redis']>
    if (library === 'ioredis') {
      const ioredis = await connectIoredisSentinel(group.sentinelRootNodes, SENTINEL_MASTER_NAME)
      redis = ioredis
      sentinel = { destroy: async () => ioredis.disconnect() }
    } else {
      redis = sentinel = await connectSentinel(group)
    }
    const logged: unknown[] = []
    const logger = { error: (fields: object, message?: string) => logged.push({ fields, message }), warn: () => undefined }
    const { app, auth } = buildApp(baseOptions({ redis, keyPrefix: uniquePrefix(), logger, ...options }))
    const client = (served = await serve(app))

    const codes: string[] = []
    for (let i = 0; i < CODES; i += WORKERS) {
      codes.push(
        ...(await Promise.all(Array.from({ length: Math.min(WORKERS, CODES - i) }, (_, j) => issue(auth, { subject: `user-${i + j}` })))),
      )
    }

    const start = Date.now()
    const presentations: Presentation[] = []
    const grants = new Map<string, number>()
    let cutAt: number | undefined
    let killedAt: number | undefined
    let goneAt: number | undefined
    let recoveredAt: number | undefined
    const present = async (code: string): Promise<string> => {
      const sent = Date.now() - start
      let outcome: string
      try {
        outcome = statusAndError(await client.send(tokenRequest(code)))
      } catch (err) {
        outcome = `no answer: ${String(err)}`
      }
      const at = Date.now() - start
      presentations.push({ code, outcome, sent, at })
      if (outcome === '200 ok') {
        grants.set(code, (grants.get(code) ?? 0) + 1)
        if (goneAt !== undefined && recoveredAt === undefined && sent >= goneAt) recoveredAt = at
      }
      return outcome
    }

    // Half a second more once grants resumed, or until the budget ran out without them.
    let failed = false
    const done = () => {
      const now = Date.now() - start
      if (failed) return true
      return (recoveredAt !== undefined && now > recoveredAt + 500) || (killedAt !== undefined && now > killedAt + RECOVERY_BUDGET_MS)
    }
    const worker = async () => {
      while (!done()) {
        // Half of the presentations are of codes not granted yet, so grants go on after the failover.
        const ungranted = codes.filter((c) => !grants.has(c))
        const pool = Math.random() < 0.5 && ungranted.length > 0 ? ungranted : codes
        const outcome = await present(pool[Math.floor(Math.random() * pool.length)] as string)
        if (outcome !== '200 ok' && outcome !== '400 invalid_grant') await sleep(10)
      }
    }
    const killer = async () => {
      const sentinels = group as RedisSentinelGroup
      await until('grants before the cut', () => grants.size >= CUT_AFTER_GRANTS)
      const master = await sentinels.master()
      cutAt = Date.now() - start
      const replicas = await sentinels.cutReplicas(master)
      await sleep(ALONE_MS)
      killedAt = Date.now() - start
      await master.stop()
      goneAt = Date.now() - start
      for (const replica of replicas) replica.resume()
      await sentinels.untilFailedOver(master)
      return Date.now() - start - killedAt
    }
    const workers = Array.from({ length: WORKERS }, worker)
    const failedOverAfterMs = await killer().catch(async (err: unknown) => {
      failed = true
      await Promise.all(workers)
      throw err
    })
    await Promise.all(workers)

    const sweep = async () => tally(await Promise.all(codes.map(present)), (outcome) => outcome)
    const sweeps: FailoverRun['sweeps'] = [await sweep(), await sweep()]
    return {
      presentations,
      grants,
      sweeps,
      cutAt: cutAt as number,
      killedAt: killedAt as number,
      recoveredAfterMs: recoveredAt === undefined ? undefined : recoveredAt - (killedAt as number),
      failedOverAfterMs,
      logged,
    }
  }

  /** What holds with or without durability: only expected answers, no 503 before the cut, grants back in time, every code consumed by the end. */
  function expectRecovered(run: FailoverRun): void {
    const unexpected = run.presentations.filter((p) => !EXPECTED.has(p.outcome))
    expect(unexpected.slice(0, 5), `${unexpected.length} unexpected answers`).to.deep.equal([])
    expect(run.logged, 'errors the router logged').to.deep.equal([])
    const unavailable = run.presentations.filter((p) => p.outcome === '503 temporarily_unavailable')
    expect(unavailable.filter((p) => p.at < run.cutAt).length, '503s before the replicas were cut off').to.equal(0)
    expect(run.recoveredAfterMs, 'a grant after the kill').to.be.a('number')
    expect(run.recoveredAfterMs as number).to.be.below(RECOVERY_BUDGET_MS)
    expect(run.grants.size, 'codes granted').to.be.at.least(CUT_AFTER_GRANTS)
    // After the failover every code is consumed: granted by now, or consumed by a presentation that answered 503.
    expect(run.sweeps[1], 'the second sweep').to.deep.equal({ '400 invalid_grant': CODES })
  }

  /** Appended to the test's title: what the run measured. */
  const summary = (run: FailoverRun, doubles: number) => {
    const unavailable = run.presentations.filter((p) => p.outcome === '503 temporarily_unavailable')
    return (
      ` [kill → first grant ${run.recoveredAfterMs} ms, → sentinels agree ${run.failedOverAfterMs} ms; ` +
      `${unavailable.length} 503s, ${doubles} codes granted twice]`
    )
  }

  // node-redis's Sentinel client re-sends a command whose master went away to the new master,
  // a WAIT too, where on a fresh connection it counts replicas without the lost write. What
  // keeps a retried WAIT from granting is the store's deadline (commandTimeoutMs 1500 +
  // timeoutMs) running out before a failover completes (down-after-milliseconds 1000 here).
  it('with durability: { replicas: 1 }, no code is granted twice, only 503s meanwhile, and grants resume after the failover', async function () {
    const run = await redeemAcrossFailover({ durability: { replicas: 1, timeoutMs: 100 } })
    const twice = [...run.grants].filter(([, n]) => n > 1)
    if (this.test) this.test.title += summary(run, twice.length)
    expect(twice, 'codes granted more than once').to.deep.equal([])
    expectRecovered(run)
  })

  // ioredis re-sends the commands a lost connection left unanswered (autoResendUnfulfilledCommands),
  // as node-redis does: the same deadline is what keeps a re-sent WAIT from granting.
  it('on an ioredis Sentinel connection with durability: { replicas: 1 }, no code is granted twice either', async function () {
    const run = await redeemAcrossFailover({ durability: { replicas: 1, timeoutMs: 100 } }, 'ioredis')
    const twice = [...run.grants].filter(([, n]) => n > 1)
    if (this.test) this.test.title += summary(run, twice.length)
    expect(twice, 'codes granted more than once').to.deep.equal([])
    expectRecovered(run)
  })

  it('without durability (control), the promoted replica grants again the codes the master granted alone', async function () {
    const run = await redeemAcrossFailover({})
    const twice = [...run.grants].filter(([, n]) => n > 1)
    if (this.test) this.test.title += summary(run, twice.length)
    expectRecovered(run)
    expect(twice.length, 'codes granted twice').to.be.above(0)
  })
})
