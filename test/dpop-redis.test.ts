import { expect } from 'chai'
import type { Express } from 'express'
import request from 'supertest'
import type { AuthcodeRouter } from '../lib/index.js'
import { buildApp, issue, tokenForm, tokenRequest } from './helpers/app.js'
import { dpopKey, dpopProof, type DpopKey } from './helpers/dpop.js'
import { fanOut, statusAndError, tally } from './helpers/fan-out.js'
import { connectTo, serve, type HttpClient, type HttpRequest } from './helpers/http.js'
import { startWorker, type Worker } from './helpers/processes.js'
import { clientCommandsDuring } from './helpers/redis-stats.js'
import { connectRedis, keysUnder, useTestRedis } from './helpers/redis.js'
import { redisUrl } from './helpers/root-hooks.js'
import { RoundTripProxy } from './helpers/round-trip-proxy.js'
import { refreshOptions, refreshRequest, TOKEN_URL } from './helpers/refresh.js'

/** `req` with `proof` as its `DPoP` header. */
const withProof = (req: HttpRequest, proof: string): HttpRequest => ({ ...req, headers: { ...req.headers, dpop: proof } })

describe('DPoP on Redis', () => {
  const redis = useTestRedis()
  let key: DpopKey
  before(async () => {
    key = await dpopKey()
  })

  describe('a proof replayed to another process', () => {
    let worker: Worker<{ port: number }>
    let other: HttpClient
    let here: HttpClient
    let auth: AuthcodeRouter
    before(async function () {
      this.timeout(30_000)
      const keyPrefix = redis.prefix
      worker = await startWorker<{ port: number }>('refresh-server', { REDIS_URL: redisUrl(), KEY_PREFIX: keyPrefix })
      other = connectTo(worker.hello.port)
      const built = buildApp(refreshOptions({ redis: redis.client, keyPrefix }).options)
      auth = built.auth
      here = await serve(built.app)
    })
    after(async () => {
      await Promise.all([other?.close(), here?.close()])
      await worker?.stop()
    })

    it('is refused by the second process after the first accepted it, in either order', async () => {
      for (const [first, second] of [
        [other, here],
        [here, other],
      ] as const) {
        const proof = await dpopProof(key)
        expect(statusAndError(await first.send(withProof(tokenRequest(await issue(auth)), proof)))).to.equal('200 ok')
        const replayed = await second.send(withProof(tokenRequest(await issue(auth)), proof))
        expect(statusAndError(replayed)).to.equal('400 invalid_dpop_proof')
        expect(replayed.json?.error_description).to.match(/already used/)
      }
    })

    it('is accepted once of 20 concurrent presentations over both processes', async function () {
      this.timeout(20_000)
      const proof = await dpopProof(key)
      const codes = await fanOut(20, () => issue(auth))
      const answers = await fanOut(20, (i) => (i % 2 ? other : here).send(withProof(tokenRequest(codes[i] as string), proof)))
      expect(tally(answers, statusAndError)).to.deep.equal({ '200 ok': 1, '400 invalid_dpop_proof': 19 })
    })
  })

  describe('where the jti is kept', () => {
    let app: Express
    let auth: AuthcodeRouter
    beforeEach(() => {
      ;({ app, auth } = buildApp(refreshOptions({ redis: redis.client, keyPrefix: redis.prefix }).options))
    })

    it('keeps a digest of the key and jti, never either, until iat plus skewSeconds (and a second) has passed', async () => {
      const iat = Math.floor(Date.now() / 1000) - 20
      const jti = 'a-jti-of-the-client-0123456789'
      const proof = await dpopProof(key, { claims: { iat, jti } })
      await request(app)
        .post(TOKEN_URL)
        .type('form')
        .set('DPoP', proof)
        .send(tokenForm(await issue(auth)))
        .expect(200)
      const [once, ...others] = (await keysUnder(redis.client, redis.prefix)).filter((name) => name.includes('once:'))
      expect(others, 'one claim').to.have.length(0)
      expect(once).to.match(new RegExp(`^${redis.prefix}once:[A-Za-z0-9_-]{22}$`))
      expect(once).not.to.include(jti)
      expect(once).not.to.include(key.jkt)
      const ttl = await redis.client.pTTL(once as string)
      const until = (iat + 60 + 1) * 1000 - Date.now()
      expect(ttl).to.be.within(until - 1000, until + 50)
    })

    it('adds one command to an exchange, the SET NX PX of the claim', async () => {
      const exchange = async (proofKey?: DpopKey) => {
        const code = await issue(auth)
        const proof = proofKey && (await dpopProof(proofKey))
        return clientCommandsDuring(async () => {
          const sent = request(app).post(TOKEN_URL).type('form')
          if (proof !== undefined) sent.set('DPoP', proof)
          await sent.send(tokenForm(code)).expect(200)
        })
      }
      await exchange(key)
      const without = await exchange()
      expect(await exchange(key)).to.have.members([...without, 'set'])
    })
  })

  it('rotates a bound refresh token in 3 round trips with every rate limit on, as an unbound one: per-IP count, read with the claim, rotation', async () => {
    const proxy = await RoundTripProxy.start(redisUrl())
    const client = await connectRedis(proxy.url)
    try {
      const host = buildApp(refreshOptions({ redis: client, keyPrefix: redis.prefix, rateLimit: {} }).options)
      const http = await serve(host.app)
      try {
        const exchange = async () => {
          const answer = await http.send(withProof(tokenRequest(await issue(host.auth)), await dpopProof(key)))
          expect(answer.status, answer.text).to.equal(200)
          return answer.json?.refresh_token as string
        }
        const warm = await exchange()
        expect((await http.send(withProof(refreshRequest(warm), await dpopProof(key)))).status).to.equal(200)
        const token = await exchange()
        const proof = await dpopProof(key)
        const trips = await proxy.leastOf(
          async () => {
            const answer = await http.send(withProof(refreshRequest(token), proof))
            expect(answer.status, answer.text).to.equal(200)
          },
          3,
          1,
        )
        expect(trips).to.equal(3)
      } finally {
        await http.close()
      }
    } finally {
      await client.close()
      await proxy.close()
    }
  })
})
