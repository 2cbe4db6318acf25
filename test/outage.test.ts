import { expect } from 'chai'
import { StoreUnavailableError, type AuthcodeRouter } from '../lib/index.js'
import { buildApp, issue, tokenRequest, VERIFIER } from './helpers/app.js'
import { until } from './helpers/clock.js'
import { endpoints, fullOptions, type Endpoint } from './helpers/endpoints.js'
import { fanOut } from './helpers/fan-out.js'
import { serve, type HttpAnswer, type HttpRequest, type HttpClient } from './helpers/http.js'
import type { RedisServer } from './helpers/redis-server.js'
import { uniquePrefix, useTestRedis, type TestRedisClientOptions, type UsedRedis } from './helpers/redis.js'

/** What a store outage may take at most to show, per SPEC §7. */
const BUDGET_MS = 2000
const storeEndpoints = endpoints.filter((e) => e.usesStore)

/** The client settings docs/operations.md recommends, and node-redis's own defaults (offline queue on, endless backoff). */
const clientSettings: Array<{ name: string; options: TestRedisClientOptions }> = [
  {
    name: 'the recommended client settings',
    options: {
      disableOfflineQueue: true,
      socket: { connectTimeout: 1000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) },
    },
  },
  { name: 'node-redis default client settings', options: {} },
]

/** Ways Redis goes away: killed (connections refused) or frozen (connections open, no answers). */
type Fault = (typeof faults)[number]
const faults = [
  // A command refused while Redis is down never ran: the code presented then is still live, the key free.
  {
    name: 'is killed',
    cut: (s: RedisServer) => s.stop(),
    restore: (s: RedisServer) => s.start(),
    presentedCodeAfter: 200,
    retriedKeyAfter: 201,
  },
  // A hung Redis runs what was sent once it wakes: a presentation that timed out may still consume
  // the code (never the reverse). A POST /codes sends its key's claim with its limit counts; once
  // they time out it sends the release of that claim, which runs right behind it on the
  // connection, so the key is free again and a retry succeeds.
  {
    name: 'hangs',
    cut: async (s: RedisServer) => s.pause(),
    restore: async (s: RedisServer) => s.resume(),
    presentedCodeAfter: 400,
    retriedKeyAfter: 201,
  },
]

/** How a promise settled: its value, or what it rejected with. */
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }
const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  )

/** The value of a settled promise; throws what it rejected with. */
function valueOf<T>(settled: Settled<T>): T {
  if (!settled.ok) throw settled.error
  return settled.value
}

/** An app with every limit on, high enough not to trip: the limiters count in Redis too. */
async function startApp(redis: UsedRedis): Promise<{ auth: AuthcodeRouter; served: HttpClient }> {
  const limit = { limit: 10_000, windowMs: 60_000 }
  const built = buildApp(
    fullOptions({
      redis: redis.client,
      keyPrefix: uniquePrefix(),
      rateLimit: { perClient: limit, perSubject: limit, perIp: limit, failedAuth: limit },
    }),
  )
  return { auth: built.auth, served: await serve(built.app) }
}

/** What one outage left behind, for the tests to check. */
interface Outage {
  auth: AuthcodeRouter
  served: HttpClient
  /** An app built while Redis was away (its limiters initialised against a dead Redis). */
  late: Settled<{ auth: AuthcodeRouter; served: HttpClient }>
  /** Issued before the outage: one left alone, one redeemed before it, one presented during it. */
  liveCode: string
  usedCode: string
  presentedCode: string
  /** POST /codes answered before the outage, and one sent during it. */
  answeredCodes: { req: HttpRequest; body: unknown }
  failedCodes: HttpRequest
  /** During the outage: every store endpoint's answers (several at once each), the failed POST /codes, and auth.redeem(). */
  during: Array<{ endpoint: Endpoint; answer: Settled<HttpAnswer> }>
  failedCodesAnswer: Settled<HttpAnswer>
  redeemed: { error: unknown; ms: number }
  /** Whether the app served a store endpoint again once Redis was back (or why not). */
  recovered: Settled<void>
}

/**
 * Builds an app on `redis`, issues codes and answers a POST /codes, then takes Redis away with
 * `fault`, records what the app answers meanwhile, brings Redis back and waits until the app
 * serves again.
 */
async function runOutage(redis: UsedRedis, fault: Fault): Promise<Outage> {
  const { auth, served } = await startApp(redis)
  const liveCode = await issue(auth)
  const usedCode = await issue(auth)
  const presentedCode = await issue(auth)
  const codesEndpoint = endpoints.find((e) => e.path === '/codes') as Endpoint
  const req = await codesEndpoint.valid(auth)
  const answeredCodes = { req, body: (await served.send(req)).json }
  const failedCodes = await codesEndpoint.valid(auth)
  await auth.redeem(usedCode, { kind: 'authorize', codeVerifier: VERIFIER })

  const requests: Array<[Endpoint, HttpRequest]> = []
  for (const endpoint of storeEndpoints) requests.push([endpoint, await endpoint.valid(auth)])
  await fault.cut(redis.server)
  let during: Outage['during']
  let failedCodesAnswer: Outage['failedCodesAnswer']
  let redeemed: Outage['redeemed']
  let late: Outage['late']
  try {
    // Several at once per endpoint: none may wait on another.
    during = await fanOut(3 * requests.length, async (i) => {
      const [endpoint, request] = requests[i % requests.length] as [Endpoint, HttpRequest]
      return { endpoint, answer: await settle(served.send(request, BUDGET_MS)) }
    })
    failedCodesAnswer = await settle(served.send(failedCodes, BUDGET_MS))
    const started = Date.now()
    const error = await auth.redeem(presentedCode, { kind: 'authorize', codeVerifier: VERIFIER }).catch((e: unknown) => e)
    redeemed = { error, ms: Date.now() - started }
    late = await settle(startApp(redis))
  } finally {
    await fault.restore(redis.server)
  }
  const [probe] = storeEndpoints as [Endpoint]
  const probeSucceeds = async () => {
    probe.expectSuccess(await served.send(await probe.valid(auth), BUDGET_MS))
    return true
  }
  const recovered = await settle(until(`${probe.name} succeeding again`, probeSucceeds, 15_000))
  return {
    auth,
    served,
    late,
    liveCode,
    usedCode,
    presentedCode,
    answeredCodes,
    failedCodes,
    during,
    failedCodesAnswer,
    redeemed,
    recovered,
  }
}

for (const settings of clientSettings) {
  for (const fault of faults) {
    describe(`when Redis ${fault.name} (${settings.name})`, function () {
      this.timeout(30_000)
      const unhandled: unknown[] = []
      const onUnhandled = (reason: unknown) => unhandled.push(reason)
      before(() => {
        process.on('unhandledRejection', onUnhandled)
      })
      after(() => {
        process.off('unhandledRejection', onUnhandled)
      })

      // A server of this describe's own, written through to disk so a killed one comes back with what it held.
      const redis = useTestRedis({ ownServer: { persistent: true }, client: settings.options })
      // Every test checks what one outage left behind; none takes Redis away itself, so each passes alone and in any order.
      let outage: Outage
      before(async () => {
        outage = await runOutage(redis, fault)
      })
      after(async () => {
        await outage?.served.close()
        if (outage?.late.ok) await outage.late.value.served.close()
      })

      it(`answers every endpoint with its store-unavailable answer within ${BUDGET_MS} ms, and auth.redeem() rejects as fast`, () => {
        for (const { endpoint, answer } of outage.during) endpoint.expectUnavailable(valueOf(answer))
        expect(valueOf(outage.failedCodesAnswer).status).to.equal(503)
        expect(outage.redeemed.error).to.be.instanceOf(StoreUnavailableError)
        expect(outage.redeemed.ms).to.be.below(BUDGET_MS)
      })

      it('serves every endpoint again once Redis is back, without restarting the app', async () => {
        valueOf(outage.recovered)
        for (const endpoint of endpoints) endpoint.expectSuccess(await outage.served.send(await endpoint.valid(outage.auth), BUDGET_MS))
      })

      it('serves an app that was built while Redis was away, once Redis is back', async () => {
        const late = valueOf(outage.late)
        for (const endpoint of endpoints) endpoint.expectSuccess(await late.served.send(await endpoint.valid(late.auth), BUDGET_MS))
      })

      const redeem = (code: string) => outage.served.send(tokenRequest(code))

      it('redeems a code issued before the outage exactly once, and still refuses one used before it', async () => {
        expect((await redeem(outage.liveCode)).status).to.equal(200)
        expect((await redeem(outage.liveCode)).json?.error).to.equal('invalid_grant')
        expect((await redeem(outage.usedCode)).json?.error).to.equal('invalid_grant')
      })

      it(`answers ${fault.presentedCodeAfter} for a code whose presentation failed during the outage`, async () => {
        expect((await redeem(outage.presentedCode)).status).to.equal(fault.presentedCodeAfter)
      })

      it('replays a POST /codes answered before the outage, with the same code', async () => {
        const again = await outage.served.send(outage.answeredCodes.req)
        expect(again.status).to.equal(201)
        expect(again.headers['idempotent-replayed']).to.equal('true')
        expect(again.json).to.deep.equal(outage.answeredCodes.body)
      })

      it(`answers ${fault.retriedKeyAfter} to a retry of a POST /codes that failed during the outage`, async () => {
        const retry = await outage.served.send(outage.failedCodes)
        expect(retry.status, retry.text).to.equal(fault.retriedKeyAfter)
        if (retry.status === 409) expect(Number(retry.headers['retry-after'])).to.be.greaterThan(0)
      })

      it('left no unhandled promise rejection behind', () => {
        expect(unhandled.map(String)).to.deep.equal([])
      })
    })
  }
}
