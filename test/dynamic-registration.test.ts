import { expect } from 'chai'
import request from 'supertest'
import { AuthcodeOptionsError, MemoryStore, OPTIONS_ERROR_CODES, authcode } from '../lib/index.js'
import type { AuthcodeOptions } from '../types/index.js'
import { MOUNT, VERIFIER, baseOptions } from './helpers/app.js'
import { Browser } from './helpers/browser.js'
import { AUTHORIZE, authorizeQuery, hostApp, locationParams } from './helpers/host-app.js'
import { useTestRedis } from './helpers/redis.js'

const REGISTER = `${MOUNT}/register`
const CLI_REDIRECT = 'http://127.0.0.1/callback'
const INITIAL_TOKEN = 'initial-access-token-0123456789'

const registering = (overrides: Partial<AuthcodeOptions> = {}) =>
  hostApp({ consentUrl: '/consent', dynamicRegistration: true, refreshTokens: true, ...overrides })

const register = (app: Parameters<typeof request>[0], metadata: object) => request(app).post(REGISTER).send(metadata)

/** Signs in, sends the registered client's authorization request and approves it on the consent page: the code. */
async function authorizeAndApprove(browser: Browser, clientId: string, port: number): Promise<string> {
  const path = `${AUTHORIZE}?${authorizeQuery({ client_id: clientId, redirect_uri: `http://127.0.0.1:${port}/callback` })}`
  const toConsent = await browser.get(path)
  expect(toConsent.headers.location, 'a registered client is asked for consent').to.match(/^\/consent\?/)
  const approved = await browser.post('/consent', { client_id: clientId, scope: 'openid', return_to: path })
  const code = locationParams((await browser.follow(approved)).headers.location).get('code')
  expect(code).to.be.a('string')
  return code as string
}

describe('POST /register (RFC 7591 dynamic registration)', () => {
  it('registers a public client that then signs in with consent on every request and exchanges its code', async () => {
    const { app, auth } = registering()
    const registered = await register(app, { redirect_uris: [CLI_REDIRECT], client_name: 'Acme CLI', token_endpoint_auth_method: 'none' })
    expect(registered.status, registered.text).to.equal(201)
    expect(registered.headers['cache-control']).to.equal('no-store')
    const clientId = registered.body.client_id as string
    expect(clientId).to.match(/^reg-[A-Za-z0-9_-]{43}$/)
    expect(registered.body).to.deep.include({
      redirect_uris: [CLI_REDIRECT],
      client_name: 'Acme CLI',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      application_type: 'native',
    })
    expect(await auth.describeClient(clientId)).to.deep.equal({
      id: clientId,
      name: 'Acme CLI',
      redirectHosts: ['127.0.0.1'],
      metadataDocument: false,
    })

    const browser = new Browser(app)
    await browser.post('/login', { user: 'user-42' })
    const code = await authorizeAndApprove(browser, clientId, 50123)
    const exchanged = await request(app).post(`${MOUNT}/token`).type('form').send({
      grant_type: 'authorization_code',
      code,
      client_id: clientId,
      redirect_uri: 'http://127.0.0.1:50123/callback',
      code_verifier: VERIFIER,
    })
    expect(exchanged.status, exchanged.text).to.equal(200)
    expect(exchanged.body.refresh_token).to.be.a('string')
    // Asked again: an approval answers only the request it was given for.
    await authorizeAndApprove(browser, clientId, 50124)
  })

  it('keeps the scopes a client registers to those the router offers, so nobody registers their way to a scope no client has', async () => {
    const { app } = registering()
    const registered = await register(app, { redirect_uris: [CLI_REDIRECT], scope: 'openid admin' })
    expect(registered.status).to.equal(201)
    expect(registered.body.scope).to.equal('openid')
    const browser = new Browser(app)
    await browser.post('/login', { user: 'user-42' })
    const asked = await browser.get(
      `${AUTHORIZE}?${authorizeQuery({ client_id: registered.body.client_id, redirect_uri: CLI_REDIRECT, scope: 'admin' })}`,
    )
    expect(locationParams(asked.headers.location).get('error')).to.equal('invalid_scope')
  })

  it('answers invalid_redirect_uri and invalid_client_metadata for metadata it cannot accept, and stores nothing', async () => {
    const store = new MemoryStore()
    const { app } = registering({ store, dynamicRegistration: { perIp: false } })
    const refusals: Array<[object, string]> = [
      [{}, 'invalid_redirect_uri'],
      [{ redirect_uris: [] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['http://shop.example.com/cb'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['https://shop.example.com/cb#x'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: [CLI_REDIRECT], token_endpoint_auth_method: 'client_secret_basic' }, 'invalid_client_metadata'],
      [{ redirect_uris: [CLI_REDIRECT], grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
      [{ redirect_uris: [CLI_REDIRECT], response_types: ['token'] }, 'invalid_client_metadata'],
      [{ redirect_uris: [CLI_REDIRECT], logo_uri: 'http://evil.example/logo.png' }, 'invalid_client_metadata'],
      [{ redirect_uris: [CLI_REDIRECT], client_name: 42 }, 'invalid_client_metadata'],
    ]
    for (const [metadata, error] of refusals) {
      const res = await register(app, metadata)
      expect(res.status, JSON.stringify(metadata)).to.equal(400)
      expect(res.body.error, JSON.stringify(metadata)).to.equal(error)
    }
    expect((await request(app).post(REGISTER).type('json').send('[1]')).body.error).to.equal('invalid_client_metadata')
    expect((await request(app).post(REGISTER).type('form').send({ redirect_uris: CLI_REDIRECT })).status).to.equal(415)
    store.close()
  })

  it('counts registrations per IP: past the limit, 429 and nothing stored', async () => {
    const { app } = registering({ dynamicRegistration: { perIp: { limit: 2, windowMs: 3_600_000 } } })
    for (let i = 0; i < 2; i++) expect((await register(app, { redirect_uris: [CLI_REDIRECT] })).status).to.equal(201)
    const refused = await register(app, { redirect_uris: [CLI_REDIRECT] })
    expect(refused.status).to.equal(429)
    expect(refused.headers['retry-after']).to.match(/^\d+$/)
  })

  it('requires the initial access token when one is set: 401 with a Bearer challenge without it or with a wrong one', async () => {
    const { app } = registering({ dynamicRegistration: { initialAccessToken: INITIAL_TOKEN } })
    const without = await register(app, { redirect_uris: [CLI_REDIRECT] })
    expect(without.status).to.equal(401)
    expect(without.headers['www-authenticate']).to.match(/^Bearer realm=/)
    const wrong = await register(app, { redirect_uris: [CLI_REDIRECT] }).set('Authorization', 'Bearer not-the-token-0123456789')
    expect(wrong.status).to.equal(401)
    expect(wrong.body.error).to.equal('invalid_token')
    expect(wrong.headers['www-authenticate']).to.include('error="invalid_token"')
    const right = await register(app, { redirect_uris: [CLI_REDIRECT] }).set('Authorization', `Bearer ${INITIAL_TOKEN}`)
    expect(right.status).to.equal(201)
  })

  it('is not mounted, nor named in the metadata, unless turned on', async () => {
    const off = hostApp({ consentUrl: '/consent' })
    expect((await register(off.app, { redirect_uris: [CLI_REDIRECT] })).status).to.equal(404)
    expect(off.auth.metadata.registration_endpoint).to.equal(undefined)
    expect(registering().auth.metadata.registration_endpoint).to.equal('http://127.0.0.1/api/id/v1/auth/register')
  })

  it('refuses an id shaped like a registered one that was never registered: the 400 page, no redirect', async () => {
    const { app } = registering()
    const browser = new Browser(app)
    await browser.post('/login', { user: 'user-42' })
    const res = await browser.get(`${AUTHORIZE}?${authorizeQuery({ client_id: `reg-${'A'.repeat(43)}`, redirect_uri: CLI_REDIRECT })}`)
    expect(res.status).to.equal(400)
    expect(res.headers.location).to.equal(undefined)
  })

  it('needs consentUrl and a mounted /authorize, and a store that keeps clients', () => {
    const fails = (options: AuthcodeOptions, code: string) => {
      expect(() => authcode(options))
        .to.throw(AuthcodeOptionsError)
        .with.property('code', code)
    }
    fails(baseOptions({ store: new MemoryStore(), loginUrl: '/login', dynamicRegistration: true }), OPTIONS_ERROR_CODES.missing)
    fails(baseOptions({ store: new MemoryStore(), consentUrl: '/consent', dynamicRegistration: true }), OPTIONS_ERROR_CODES.missing)
    // A token no Authorization: Bearer header could carry (RFC 6750 §2.1) would refuse every registration.
    fails(
      baseOptions({
        store: new MemoryStore(),
        loginUrl: '/login',
        consentUrl: '/consent',
        dynamicRegistration: { initialAccessToken: 'has spaces in it, 0123' },
      }),
      OPTIONS_ERROR_CODES.invalid,
    )
    const withoutClients = Object.assign(new MemoryStore(), { clientStore: undefined })
    fails(
      baseOptions({ store: withoutClients, loginUrl: '/login', consentUrl: '/consent', dynamicRegistration: true }),
      OPTIONS_ERROR_CODES.conflict,
    )
  })

  describe('on Redis', () => {
    const redis = useTestRedis()

    it('keeps the client in the store for its ttl, where every process sharing the store finds it', async () => {
      const options = { redis: redis.client, keyPrefix: redis.prefix, dynamicRegistration: { ttl: 3600 } }
      const one = registering(options)
      const other = registering(options)
      const registered = await register(one.app, { redirect_uris: [CLI_REDIRECT], client_name: 'Shared' })
      const clientId = registered.body.client_id as string
      expect((await other.auth.describeClient(clientId))?.name).to.equal('Shared')
      const ttl = await redis.client.pTTL(`${redis.prefix}client:reg:${clientId}`)
      expect(ttl).to.be.within(3_590_000, 3_600_000)
    })
  })
})
