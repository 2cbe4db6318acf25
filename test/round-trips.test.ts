import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import { generateKeyPair, SignJWT } from 'jose'
import { jwtAccessTokens, type AuthcodeOptions } from '../lib/index.js'
import { buildApp, CRM_REDIRECT, CRM_SECRET, issue, MOUNT, tokenRequest } from './helpers/app.js'
import { codesOptions, codesRequest } from './helpers/codes.js'
import { dpopKey, dpopProof } from './helpers/dpop.js'
import { form, oauthBasic, serve, type HttpClient, type HttpRequest } from './helpers/http.js'
import { connectRedis, uniquePrefix, type TestRedis } from './helpers/redis.js'
import { redisUrl } from './helpers/root-hooks.js'
import { RoundTripProxy } from './helpers/round-trip-proxy.js'

// Each Redis round trip a request waits for costs a real deployment 0.5–1 ms of network time.
describe('Redis round trips per request, on a standalone Redis with every rate limit on', () => {
  let proxy: RoundTripProxy
  let client: TestRedis
  const served: HttpClient[] = []

  before(async () => {
    proxy = await RoundTripProxy.start(redisUrl())
    client = await connectRedis(proxy.url)
  })
  afterEach(async () => {
    await Promise.all(served.splice(0).map((one) => one.close()))
  })
  after(async () => {
    await client.close()
    await proxy.close()
  })

  async function host(overrides: Partial<AuthcodeOptions> = {}) {
    const built = buildApp(codesOptions({ redis: client, keyPrefix: uniquePrefix(), rateLimit: {}, ...overrides }))
    const http = await serve(built.app)
    served.push(http)
    return { ...built, http }
  }

  /**
   * The round trips `request` waits for, after the same request once (scripts loaded,
   * connections open); counted again while it counts more than `expected` (see
   * {@link RoundTripProxy.leastOf}).
   */
  async function roundTripsOf(http: HttpClient, request: () => HttpRequest, status: number, expected: number): Promise<number> {
    expect((await http.send(request())).status).to.equal(status)
    return proxy.leastOf(async () => {
      const answer = await http.send(request())
      expect(answer.status, answer.text).to.equal(status)
    }, expected)
  }

  const newCode = () => codesRequest({ external_user_id: `user-${randomUUID()}` })

  it('issues a POST /codes code in 2 (at most 3): the attempt, claim and limits together, then the save', async () => {
    const { http } = await host()
    expect(await roundTripsOf(http, newCode, 201, 2)).to.equal(2)
  })

  it('issues with a jwtAccessTokens() token in 2 as well: the JWT is checked in memory', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256')
    const verifyAccessToken = jwtAccessTokens({ key: publicKey, issuer: 'https://idp.example.com', audience: 'authcode' })
    const { http } = await host({ accessTokens: undefined, verifyAccessToken })
    const token = await new SignJWT({ client_id: 'crm', scope: 'codes:issue' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
      .setIssuer('https://idp.example.com')
      .setAudience('authcode')
      .setSubject('crm')
      .setExpirationTime('5m')
      .sign(privateKey)
    const request = () => {
      const sent = newCode()
      return { ...sent, headers: { ...sent.headers, authorization: `Bearer ${token}` } }
    }
    expect(await roundTripsOf(http, request, 201, 2)).to.equal(2)
  })

  it("issues with the host's own verifyAccessToken in 3: it is called only once the attempt is counted", async () => {
    const verifyAccessToken = (token: string) => (token === 'host-token-0123456789' ? { clientId: 'crm', scopes: ['codes:issue'] } : null)
    const { http } = await host({ accessTokens: undefined, verifyAccessToken })
    const request = () => {
      const sent = newCode()
      return { ...sent, headers: { ...sent.headers, authorization: 'Bearer host-token-0123456789' } }
    }
    expect(await roundTripsOf(http, request, 201, 3)).to.equal(3)
  })

  it('replays a POST /codes answer in 2: the counts it made are given back before it answers', async () => {
    const { http } = await host()
    const key = randomUUID()
    const request = () => codesRequest({ external_user_id: 'u1' }, { 'idempotency-key': key })
    expect(await roundTripsOf(http, request, 201, 2)).to.equal(2)
  })

  it('answers a wrong bearer token in 1: only the attempt is counted', async () => {
    const { http } = await host()
    const request = () => codesRequest({ external_user_id: 'u1' }, { authorization: 'Bearer wrong-token-0123456789' })
    expect(await roundTripsOf(http, request, 401, 1)).to.equal(1)
  })

  it('redeems at POST /token in 2 (at most 2): the per-IP count, then the consumption', async () => {
    const { http, auth } = await host()
    const codes = await Promise.all([1, 2, 3, 4].map(() => issue(auth)))
    let next = 0
    expect(await roundTripsOf(http, () => tokenRequest(codes[next++] as string), 200, 2)).to.equal(2)
  })

  it("redeems a confidential client's code at POST /token in 2 as well: the failed-authentication count rides with the per-IP count", async () => {
    const { http, auth } = await host()
    const codes = await Promise.all(
      [1, 2, 3, 4].map(() => issue(auth, { kind: 'capture', clientId: 'crm', redirectUri: CRM_REDIRECT, codeChallenge: undefined })),
    )
    let next = 0
    const request = () => {
      const sent = form({ grant_type: 'authorization_code', code: codes[next++] as string, redirect_uri: CRM_REDIRECT })
      return {
        method: 'POST' as const,
        path: `${MOUNT}/token`,
        ...sent,
        headers: { ...sent.headers, authorization: oauthBasic('crm', CRM_SECRET) },
      }
    }
    expect(await roundTripsOf(http, request, 200, 2)).to.equal(2)
  })

  it('redeems at POST /token with a DPoP proof in 2 as well: its jti is claimed beside the consumption', async () => {
    const { http, auth } = await host()
    const key = await dpopKey()
    const sends = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const sent = tokenRequest(await issue(auth))
        return { ...sent, headers: { ...sent.headers, dpop: await dpopProof(key) } }
      }),
    )
    let next = 0
    expect(await roundTripsOf(http, () => sends[next++] as HttpRequest, 200, 2)).to.equal(2)
  })
})
