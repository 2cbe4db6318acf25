import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { expect } from 'chai'
import { randomBytes, randomUUID } from 'node:crypto'
import { MemoryStore, type AuthcodeRouter } from '../lib/index.js'
import { baseOptions, buildApp, CRM_REDIRECT, MOUNT, tokenForm } from './helpers/app.js'
import { codesRequest } from './helpers/codes.js'
import { fullOptions, SECRETS, USER_HEADER } from './helpers/endpoints.js'
import { authorizeQuery, locationParams } from './helpers/host-app.js'
import { captureBasic, form, oauthBasic, serve, withAuth, type HttpAnswer, type HttpRequest, type HttpClient } from './helpers/http.js'
import { byAttributes, registerTestSdk, type TestSdk } from './helpers/otel.js'
import { useTestRedis } from './helpers/redis.js'
import { onFakeClock, storeContract } from './store-contract.js'
import { tracedStore } from '../lib/telemetry/traced-store.js'
import { Telemetry } from '../lib/telemetry/telemetry.js'

const CAPTURE = `${MOUNT}/access/getAuthorizationCode`
const TOKEN = `${MOUNT}/token`
const CODES = 'POST /codes'
const AUTHORIZE = 'GET /authorize'
const CAPTURE_ENDPOINT = 'POST /access/getAuthorizationCode'
const TOKEN_ENDPOINT = 'POST /token'

/** A code-shaped string no store knows. */
const unknownCode = () => randomBytes(32).toString('base64url')

/** Every name, attribute, event, status message and resource attribute of the spans, and every name and attribute of the metrics, as text. */
function everythingExported(sdk: TestSdk, metrics: Awaited<ReturnType<TestSdk['metrics']>>): string {
  const parts: unknown[] = []
  for (const span of sdk.spans()) {
    parts.push(span.name, span.attributes, span.status, span.links, span.resource.attributes, span.instrumentationScope)
    for (const event of span.events) parts.push(event.name, event.attributes)
  }
  for (const [name, { data, points }] of metrics)
    parts.push(
      name,
      data.descriptor,
      points.map((p) => p.attributes),
    )
  return JSON.stringify(parts)
}

describe('OpenTelemetry instruments and spans (SPEC §9)', function () {
  this.timeout(30_000)
  const redis = useTestRedis({ ownServer: {}, client: { disableOfflineQueue: true, socket: { reconnectStrategy: () => 100 } } })
  let sdk: TestSdk | undefined

  afterEach(async () => {
    await sdk?.shutdown()
    sdk = undefined
  })

  describe('a scripted run of every endpoint, error paths and a store outage included', () => {
    it('counts exactly what happened, spans every request with a child per store operation, and exports no code, secret, token, subject or IP', async () => {
      sdk = registerTestSdk()
      const secrets = new Set<string>([SECRETS.crmSecret, SECRETS.serviceToken, '127.0.0.1', '::1'])
      const secret = (value: string) => (secrets.add(value), value)
      const logged: unknown[] = []
      const built = buildApp(
        fullOptions({
          redis: redis.client,
          keyPrefix: redis.prefix,
          rateLimit: { perClient: { limit: 4, windowMs: 60_000 }, perSubject: false, perIp: false },
          logger: { error: (...line: unknown[]) => logged.push(line), warn: (...line: unknown[]) => logged.push(line) },
          findUser: ({ uuid }) => secret(`user-of-${uuid}`),
          issueTokens: () => ({ access_token: secret(`at-${randomUUID()}`), token_type: 'Bearer', expires_in: 60 }),
        }),
      )
      const auth: AuthcodeRouter = built.auth
      auth.on('authorization.CodeIssued', ({ data }) => void secret(data.code))
      const served: HttpClient = await serve(built.app)
      const send = async (req: HttpRequest, status: number): Promise<HttpAnswer> => {
        const key = req.headers?.['idempotency-key']
        if (key) secret(key)
        const res = await served.send(req)
        expect(res.status, `${req.method} ${req.path}: ${res.text}`).to.equal(status)
        return res
      }
      const authorizeRequest = (query: string, user?: string): HttpRequest => ({
        method: 'GET',
        path: `${MOUNT}/authorize?${query}`,
        headers: user === undefined ? {} : { [USER_HEADER]: secret(user) },
      })
      const captureRequest = (clientSecret: string = SECRETS.crmSecret): HttpRequest =>
        withAuth<HttpRequest>(
          { method: 'POST', path: CAPTURE, ...form({ uuid: secret(randomUUID()), redirect_uri: CRM_REDIRECT }) },
          captureBasic('crm', clientSecret),
        )
      const tokenRequest = (params: Record<string, string>, authorization?: string): HttpRequest => {
        const req: HttpRequest = { method: 'POST', path: TOKEN, ...form(params) }
        return authorization ? withAuth(req, authorization) : req
      }
      const subject = () => ({ external_user_id: secret(`ada-${randomUUID()}@example.com`) })
      const wrong = secret(`wrong-${randomUUID()}`)

      // POST /codes: two codes, a replay, a wrong token, an invalid body.
      const first = codesRequest(subject())
      const magic1 = String((await send(first, 201)).json?.code)
      const magic2 = String((await send(codesRequest(subject()), 201)).json?.code)
      expect((await send(first, 201)).headers['idempotent-replayed']).to.equal('true')
      await send(withAuth(codesRequest(subject()), `Bearer ${wrong}`), 401)
      await send(codesRequest({ ...subject(), ttl: 5 }), 400)
      // GET /authorize: two codes, an unknown client, nobody signed in with prompt=none.
      const user = `user-${randomUUID()}`
      const codeOf = (res: HttpAnswer) => String(locationParams(res.headers.location).get('code'))
      const authorized1 = codeOf(await send(authorizeRequest(authorizeQuery(), user), 303))
      const authorized2 = codeOf(await send(authorizeRequest(authorizeQuery(), user), 303))
      await send(authorizeRequest(authorizeQuery({ client_id: 'nobody' }), user), 400)
      expect(
        locationParams((await send(authorizeRequest(authorizeQuery({ prompt: 'none' })), 303)).headers.location).get('error'),
      ).to.equal('login_required')
      // Capture: three codes, a wrong secret, a fourth code, then over the per-client limit of 4.
      const captured = String((await send(captureRequest(), 200)).json?.authorizationCode)
      await send(captureRequest(), 200)
      await send(captureRequest(), 200)
      await send(captureRequest(wrong), 401)
      await send(captureRequest(), 200)
      await send(captureRequest(), 429)
      // POST /token: a redemption, its replay, a wrong verifier, an unknown code, a Capture code, a wrong client secret.
      await send(tokenRequest(tokenForm(authorized1)), 200)
      await send(tokenRequest(tokenForm(authorized1)), 400)
      await send(tokenRequest(tokenForm(authorized2, { code_verifier: secret(`other-verifier-${'x'.repeat(40)}`) })), 400)
      await send(tokenRequest(tokenForm(secret(unknownCode()))), 400)
      const captureForm = { grant_type: 'authorization_code', code: captured, redirect_uri: CRM_REDIRECT }
      await send(tokenRequest(captureForm, oauthBasic('crm', SECRETS.crmSecret)), 200)
      await send(tokenRequest({ ...captureForm, client_id: 'crm', client_secret: wrong }), 401)
      // auth.redeem() on the host's landing page: one redemption, one code past its expiry.
      const landing = trace.getTracer('test-host')
      await landing.startActiveSpan('landing page', async (span) => {
        await auth.redeem(magic1, { kind: 'magic_link' })
        const now = Date.now
        Date.now = () => now() + 3_600_000
        try {
          expect(await auth.redeem(magic2, { kind: 'magic_link' }).catch((e: Error) => e.message)).to.match(/expired/)
        } finally {
          Date.now = now
        }
        span.end()
      })
      await send({ method: 'GET', path: `${MOUNT}/.well-known/oauth-authorization-server` }, 200)

      // Redis goes away: every store endpoint answers its store-unavailable answer.
      await redis.server.stop()
      try {
        await send(codesRequest(subject()), 503)
        await send(tokenRequest(tokenForm(secret(unknownCode()))), 503)
        await send(captureRequest(), 503)
        const unavailable = await send(authorizeRequest(authorizeQuery(), user), 303)
        expect(locationParams(unavailable.headers.location).get('error')).to.equal('temporarily_unavailable')
        expect((await auth.health()).ok).to.equal(false)
      } finally {
        await redis.server.start()
      }
      await served.close()

      // Successful authentications give their attempt back without awaiting it: let those land.
      await new Promise((resolve) => setTimeout(resolve, 100))
      const metrics = await sdk.metrics()
      const points = (name: string) => byAttributes(metrics.get(name)?.points)
      expect(points('authcode.codes.issued')).to.deep.equal({
        'authcode.client_id=crm,authcode.kind=magic_link': 2,
        'authcode.client_id=web,authcode.kind=authorize': 2,
        'authcode.client_id=crm,authcode.kind=capture': 4,
      })
      expect(points('authcode.codes.redeemed')).to.deep.equal({
        'authcode.kind=authorize': 1,
        'authcode.kind=capture': 1,
        'authcode.kind=magic_link': 1,
      })
      expect(points('authcode.codes.reuse_detected')).to.deep.equal({ 'authcode.kind=authorize': 1 })
      expect(points('authcode.codes.redeem_failed')).to.deep.equal({
        'authcode.kind=authorize,authcode.reason=reused': 1,
        'authcode.kind=authorize,authcode.reason=binding': 1,
        'authcode.reason=unknown': 1,
        'authcode.kind=magic_link,authcode.reason=expired': 1,
      })
      const rejected = (endpoint: string, reason: string) => `authcode.endpoint=${endpoint},authcode.reason=${reason}`
      expect(points('authcode.requests.rejected')).to.deep.equal({
        [rejected(CODES, 'unauthenticated')]: 1,
        [rejected(CODES, 'invalid')]: 1,
        [rejected(CODES, 'store_unavailable')]: 1,
        [rejected(AUTHORIZE, 'invalid')]: 1,
        [rejected(AUTHORIZE, 'unauthenticated')]: 1,
        [rejected(AUTHORIZE, 'store_unavailable')]: 1,
        [rejected(CAPTURE_ENDPOINT, 'unauthenticated')]: 1,
        [rejected(CAPTURE_ENDPOINT, 'rate_limited')]: 1,
        [rejected(CAPTURE_ENDPOINT, 'store_unavailable')]: 1,
        [rejected(TOKEN_ENDPOINT, 'invalid')]: 3,
        [rejected(TOKEN_ENDPOINT, 'unauthenticated')]: 1,
        [rejected(TOKEN_ENDPOINT, 'store_unavailable')]: 1,
      })
      // One duration per store operation (failed ones included): the claims of 4 POST /codes (the
      // one in the outage sends its claim and per-client count with its failed-authentication
      // count read, and then the release of a claim that may have run), the limit hits
      // (failed-authentication counts of the requests that present a wrong bearer token or a
      // client secret among them), the reads of the failed-authentication count by the 5 right
      // bearer tokens, the attempts of successful client authentications and the replay's
      // per-client count given back, 8 saves (+1 at /authorize) and 7 consumptions (+1).
      const durations = {
        'authcode.operation=claim_idempotency_key': 4,
        'authcode.operation=release_idempotency_key': 1,
        'authcode.operation=rate_limit_decrement': 7,
        'authcode.operation=rate_limit_get': 5,
        'authcode.operation=rate_limit_increment': 19,
        'authcode.operation=save': 9,
        'authcode.operation=consume': 8,
        // Each successful code exchange starts a refresh-token family (fullOptions turns refreshTokens on).
        'authcode.operation=refresh_mint': 2,
      }
      expect(points('authcode.store.duration')).to.deep.equal(durations)
      expect(metrics.get('authcode.store.duration')?.data.descriptor.unit).to.equal('ms')

      const spans = sdk.spans()
      const named = (name: string) => spans.filter((s) => s.name === name)
      const requestSpans = spans.filter((s) => s.name.startsWith('authcode ') && !s.name.startsWith('authcode store '))
      expect(requestSpans.map((s) => s.name).sort()).to.deep.equal(
        [
          ...Array<string>(6).fill(`authcode ${CODES}`),
          ...Array<string>(5).fill(`authcode ${AUTHORIZE}`),
          ...Array<string>(7).fill(`authcode ${CAPTURE_ENDPOINT}`),
          ...Array<string>(7).fill(`authcode ${TOKEN_ENDPOINT}`),
          'authcode GET /.well-known/oauth-authorization-server',
        ].sort(),
      )
      for (const span of requestSpans) {
        expect(span.kind, span.name).to.equal(SpanKind.SERVER)
        expect(span.attributes['http.response.status_code'], span.name).to.be.a('number')
      }
      const storeSpans = spans.filter((s) => s.name.startsWith('authcode store '))
      const storeCounts: Record<string, number> = {}
      for (const span of storeSpans) {
        const key = `authcode.operation=${String(span.attributes['authcode.operation'])}`
        storeCounts[key] = (storeCounts[key] ?? 0) + 1
        expect(span.name).to.equal(`authcode store ${String(span.attributes['authcode.operation'])}`)
      }
      expect(storeCounts).to.deep.equal(durations)
      // Every store operation is a child of the request (or the host's span) it served.
      const [landingSpan] = named('landing page')
      const parents = new Set([...requestSpans, landingSpan].map((s) => s?.spanContext().spanId))
      for (const span of storeSpans) expect(parents.has(span.parentSpanContext?.spanId), `${span.name} has a parent`).to.equal(true)
      expect(storeSpans.filter((s) => s.parentSpanContext?.spanId === landingSpan?.spanContext().spanId)).to.have.length(2)
      // Errors are recorded by type: failures with an error status, refusals without.
      // In the outage: the POST /codes's failed-authentication count, claim and per-client count
      // (sent together) and its release, and the first store operation of each other endpoint.
      const failedStore = storeSpans.filter((s) => s.status.code === SpanStatusCode.ERROR)
      expect(failedStore).to.have.length(7)
      for (const span of failedStore) expect(span.attributes['error.type']).to.equal('store-unavailable')
      const failedRequests = requestSpans.filter((s) => s.status.code === SpanStatusCode.ERROR)
      expect(failedRequests.map((s) => s.attributes['error.type'])).to.deep.equal(Array(4).fill('store-unavailable'))
      expect(requestSpans.filter((s) => s.attributes['error.type'] === 'invalid_grant')).to.have.length(3)

      const exported = everythingExported(sdk, metrics)
      expect(secrets.size).to.be.greaterThan(30)
      for (const value of secrets) expect(exported, 'spans and metrics').not.to.include(value)
      expect(JSON.stringify(logged)).not.to.include(SECRETS.crmSecret)
    })
  })

  it('reports to an SDK registered after the router was built', async () => {
    const store = new MemoryStore()
    try {
      const { auth } = buildApp(baseOptions({ store }))
      sdk = registerTestSdk()
      await auth.redeem(unknownCode(), { kind: 'authorize' }).catch(() => undefined)
      expect(byAttributes((await sdk.metrics()).get('authcode.codes.redeem_failed')?.points)).to.deep.equal({
        'authcode.reason=unknown': 1,
      })
      expect(sdk.spans().map((s) => s.name)).to.deep.equal(['authcode store consume'])
    } finally {
      store.close()
    }
  })

  describe('the traced store', () => {
    const stores: MemoryStore[] = []
    after(() => stores.forEach((s) => s.close()))
    storeContract(() =>
      onFakeClock((now) => {
        const store = new MemoryStore({ now })
        stores.push(store)
        return tracedStore(store, new Telemetry())
      }),
    )
  })
})
