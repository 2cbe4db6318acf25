import { expect } from 'chai'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, type RedisClientOptions } from 'redis'
import { StoreUnavailableError, type AuthcodeRouter } from '../lib/index.js'
import { buildApp, issue, MOUNT, tokenForm, VERIFIER } from './helpers/app.js'
import { endpoints, fullOptions, type Endpoint } from './helpers/endpoints.js'
import { form, serve, type HttpRequest, type Served } from './helpers/http.js'
import { RedisServer } from './helpers/redis-server.js'
import { uniquePrefix } from './helpers/redis.js'

/** What a store outage may take at most to show, per SPEC §7. */
const BUDGET_MS = 2000
const TOKEN = `${MOUNT}/token`
const storeEndpoints = endpoints.filter((e) => e.usesStore)

/** The client settings README recommends, and node-redis's own defaults (offline queue on, endless backoff). */
const clientSettings: Array<{ name: string; options: RedisClientOptions }> = [
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
  // the code (never the reverse). A POST /codes stops at its first command, the failed-authentication
  // count, so it never claimed its Idempotency-Key and a retry succeeds.
  {
    name: 'hangs',
    cut: async (s: RedisServer) => s.pause(),
    restore: async (s: RedisServer) => s.resume(),
    presentedCodeAfter: 400,
    retriedKeyAfter: 201,
  },
]

async function until(what: string, probe: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${what} did not happen within ${ms} ms`)
}

for (const settings of clientSettings) {
  for (const fault of faults) {
    describe(`when Redis ${fault.name} (${settings.name})`, function () {
      this.timeout(30_000)
      const unhandled: unknown[] = []
      const onUnhandled = (reason: unknown) => unhandled.push(reason)
      let dir: string
      let server: RedisServer
      let redis: ReturnType<typeof createClient>
      let auth: AuthcodeRouter
      let served: Served
      /** An app built while Redis was away (its limiters initialised against a dead Redis). */
      let late: { auth: AuthcodeRouter; served: Served } | undefined
      let liveCode: string
      let usedCode: string
      let presentedCode: string
      /** POST /codes answered before the outage, and one sent during it. */
      let answeredCodes: { req: HttpRequest; body: unknown }
      let failedCodes: HttpRequest

      before(async () => {
        process.on('unhandledRejection', onUnhandled)
        dir = mkdtempSync(join(tmpdir(), 'authcode-outage-'))
        // Written through to disk, so a killed server comes back with what it held.
        server = await RedisServer.start(['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir])
        redis = createClient({ url: server.url, ...settings.options })
        redis.on('error', () => undefined)
        await redis.connect()
        ;({ auth, served } = await startApp())
        liveCode = await issue(auth)
        usedCode = await issue(auth)
        presentedCode = await issue(auth)
        const codesEndpoint = endpoints.find((e) => e.path === '/codes') as Endpoint
        const req = await codesEndpoint.valid(auth)
        answeredCodes = { req, body: (await served.send(req)).json }
        failedCodes = await codesEndpoint.valid(auth)
        await auth.redeem(usedCode, { kind: 'authorize', codeVerifier: VERIFIER })
      })

      /** An app with every limit on, high enough not to trip: the limiters count in Redis too. */
      async function startApp(): Promise<{ auth: AuthcodeRouter; served: Served }> {
        const limit = { limit: 10_000, windowMs: 60_000 }
        const built = buildApp(
          fullOptions({
            redis,
            keyPrefix: uniquePrefix(),
            rateLimit: { perClient: limit, perSubject: limit, perIp: limit, failedAuth: limit },
          }),
        )
        return { auth: built.auth, served: await serve(built.app) }
      }

      after(async () => {
        process.off('unhandledRejection', onUnhandled)
        await served?.close()
        await late?.served.close()
        await redis?.close().catch(() => undefined)
        await server?.stop()
        rmSync(dir, { recursive: true, force: true })
      })

      it(`answers every endpoint with its store-unavailable answer within ${BUDGET_MS} ms, and auth.redeem() rejects as fast`, async () => {
        const requests: Array<[(typeof storeEndpoints)[number], HttpRequest]> = []
        for (const endpoint of storeEndpoints) requests.push([endpoint, await endpoint.valid(auth)])
        await fault.cut(server)
        try {
          // Several at once per endpoint: none may wait on another.
          const answers = await Promise.all(
            requests.flatMap(([endpoint, req]) =>
              Array.from({ length: 3 }, async () => ({ endpoint, res: await served.send(req, BUDGET_MS) })),
            ),
          )
          for (const { endpoint, res } of answers) endpoint.expectUnavailable(res)
          expect((await served.send(failedCodes, BUDGET_MS)).status).to.equal(503)
          const started = Date.now()
          const err = await auth.redeem(presentedCode, { kind: 'authorize', codeVerifier: VERIFIER }).catch((e: unknown) => e)
          expect(err).to.be.instanceOf(StoreUnavailableError)
          expect(Date.now() - started).to.be.below(BUDGET_MS)
          late = await startApp()
        } finally {
          await fault.restore(server)
        }
      })

      it('serves every endpoint again once Redis is back, without restarting the app', async () => {
        const [probe] = storeEndpoints as [Endpoint]
        await until(`${probe.name} succeeding again`, async () => {
          probe.expectSuccess(await served.send(await probe.valid(auth), BUDGET_MS))
          return true
        })
        for (const endpoint of endpoints) endpoint.expectSuccess(await served.send(await endpoint.valid(auth), BUDGET_MS))
      })

      it('serves an app that was built while Redis was away, once Redis is back', async () => {
        if (!late) throw new Error('the outage test did not build the late app')
        for (const endpoint of endpoints) endpoint.expectSuccess(await late.served.send(await endpoint.valid(late.auth), BUDGET_MS))
      })

      const redeem = (code: string) => served.send({ method: 'POST', path: TOKEN, ...form(tokenForm(code)) })

      it('redeems a code issued before the outage exactly once, and still refuses one used before it', async () => {
        expect((await redeem(liveCode)).status).to.equal(200)
        expect((await redeem(liveCode)).json?.error).to.equal('invalid_grant')
        expect((await redeem(usedCode)).json?.error).to.equal('invalid_grant')
      })

      it(`answers ${fault.presentedCodeAfter} for a code whose presentation failed during the outage`, async () => {
        expect((await redeem(presentedCode)).status).to.equal(fault.presentedCodeAfter)
      })

      it('replays a POST /codes answered before the outage, with the same code', async () => {
        const again = await served.send(answeredCodes.req)
        expect(again.status).to.equal(201)
        expect(again.headers['idempotent-replayed']).to.equal('true')
        expect(again.json).to.deep.equal(answeredCodes.body)
      })

      it(`answers ${fault.retriedKeyAfter} to a retry of a POST /codes that failed during the outage`, async () => {
        const retry = await served.send(failedCodes)
        expect(retry.status, retry.text).to.equal(fault.retriedKeyAfter)
        if (retry.status === 409) expect(Number(retry.headers['retry-after'])).to.be.greaterThan(0)
      })

      it('left no unhandled promise rejection behind', () => {
        expect(unhandled.map(String)).to.deep.equal([])
      })
    })
  }
}
