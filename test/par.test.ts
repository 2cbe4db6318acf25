import { expect } from 'chai'
import type { Express } from 'express'
import request from 'supertest'
import { MemoryStore } from '../lib/index.js'
import type { AuthcodeOptions } from '../types/index.js'
import { CRM_SECRET, ISSUER, MOUNT, VERIFIER, WEB_REDIRECT } from './helpers/app.js'
import { Browser } from './helpers/browser.js'
import { fakeClock } from './helpers/clock.js'
import { dpopKey, dpopProof } from './helpers/dpop.js'
import { AUTHORIZE, authorizeQuery, hostApp, locationParams } from './helpers/host-app.js'
import { oauthBasic } from './helpers/http.js'
import { keysUnder, useTestRedis } from './helpers/redis.js'

const PAR = `${MOUNT}/par`

/** The `/authorize` parameters of the public `web` client, as a form to push. */
const pushedForm = (overrides: Record<string, string | undefined> = {}) =>
  Object.fromEntries(new URLSearchParams(authorizeQuery(overrides)))

const push = (app: Express, form: Record<string, string> = pushedForm()) => request(app).post(PAR).type('form').send(form)

/** Pushes the `web` client's request and answers its `request_uri`. */
async function pushed(app: Express, overrides: Record<string, string | undefined> = {}): Promise<string> {
  const res = await push(app, pushedForm(overrides))
  expect(res.status, res.text).to.equal(201)
  return res.body.request_uri as string
}

const byReference = (requestUri: string, extra = '') => `${AUTHORIZE}?client_id=web&request_uri=${encodeURIComponent(requestUri)}${extra}`

async function signedIn(app: Express): Promise<Browser> {
  const browser = new Browser(app)
  await browser.post('/login', { user: 'user-42' })
  return browser
}

const refusedWithPage = (res: request.Response) => {
  expect(res.status, res.text).to.equal(400)
  expect(res.headers.location, 'never a redirect').to.equal(undefined)
  expect(res.text).to.include('invalid_request_uri')
}

describe('pushed authorization requests (RFC 9126)', () => {
  it('answers 201 with a request_uri that /authorize takes in place of the parameters, and the code exchanges', async () => {
    const { app, auth } = hostApp()
    expect(auth.metadata).to.include({
      pushed_authorization_request_endpoint: 'http://127.0.0.1/api/id/v1/auth/par',
      require_pushed_authorization_requests: false,
    })
    const res = await push(app, pushedForm({ state: 'pushed-state' }))
    expect(res.status).to.equal(201)
    expect(res.headers['cache-control']).to.equal('no-store')
    expect(res.body.request_uri).to.match(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/)
    expect(res.body.expires_in).to.equal(60)
    const browser = await signedIn(app)
    // Parameters beside request_uri are not read: only what was pushed counts.
    const answer = await browser.get(byReference(res.body.request_uri, '&scope=profile&redirect_uri=https%3A%2F%2Fevil.example%2Fcb'))
    expect(answer.headers.location).to.match(new RegExp(`^${WEB_REDIRECT}\\?`))
    const params = locationParams(answer.headers.location)
    expect(params.get('state')).to.equal('pushed-state')
    const exchanged = await request(app)
      .post(`${MOUNT}/token`)
      .type('form')
      .send({
        grant_type: 'authorization_code',
        code: params.get('code'),
        client_id: 'web',
        redirect_uri: WEB_REDIRECT,
        code_verifier: VERIFIER,
      })
    expect(exchanged.status, exchanged.text).to.equal(200)
    refusedWithPage(await browser.get(byReference(res.body.request_uri)))
  })

  it('survives the sign-in round trip (the session regenerated at sign-in), then is spent by the code', async () => {
    const { app } = hostApp()
    const requestUri = await pushed(app)
    const browser = new Browser(app)
    const toLogin = await browser.get(byReference(requestUri))
    const returnTo = locationParams(toLogin.headers.location).get('return_to') as string
    expect(returnTo).to.equal(byReference(requestUri))
    const back = await browser.post('/login', { user: 'user-42', return_to: returnTo })
    const answer = await browser.follow(back)
    expect(locationParams(answer.headers.location).get('code')).to.have.length(43)
    refusedWithPage(await browser.get(returnTo))
  })

  it('is spent by an error sent back to the client', async () => {
    const { app } = hostApp()
    const requestUri = await pushed(app, { prompt: 'none' })
    const browser = new Browser(app)
    expect(locationParams((await browser.get(byReference(requestUri))).headers.location).get('error')).to.equal('login_required')
    await browser.post('/login', { user: 'user-42' })
    refusedWithPage(await browser.get(byReference(requestUri)))
  })

  it('must be first used within par.ttl, and then lasts through the round trips', async () => {
    const clock = fakeClock()
    const store = new MemoryStore({ now: clock.now })
    const { app } = hostApp({ store, par: { ttl: 10 } })
    const late = await pushed(app)
    const onTime = await pushed(app)
    const browser = new Browser(app)
    expect((await browser.get(byReference(onTime))).status, 'first used in time: to sign in').to.equal(303)
    clock.advance(11_000)
    refusedWithPage(await browser.get(byReference(late)))
    await browser.post('/login', { user: 'user-42' })
    expect(locationParams((await browser.get(byReference(onTime))).headers.location).get('code')).to.have.length(43)
    store.close()
  })

  it("shows the 400 page for an unknown, malformed or another client's request_uri", async () => {
    const { app } = hostApp({
      clients: [...hostClients(), { id: 'other', redirectUris: ['https://other.example/cb'], scopes: ['openid'] }],
    })
    const browser = await signedIn(app)
    const mine = await pushed(app)
    refusedWithPage(await browser.get(byReference('urn:ietf:params:oauth:request_uri:' + 'A'.repeat(43))))
    refusedWithPage(await browser.get(byReference('not-a-request-uri')))
    refusedWithPage(await browser.get(`${AUTHORIZE}?client_id=other&request_uri=${encodeURIComponent(mine)}`))
  })

  it('refuses a plain request when par.required, or for a client with requirePar; other clients go on', async () => {
    const required = hostApp({ par: { required: true } })
    expect(required.auth.metadata.require_pushed_authorization_requests).to.equal(true)
    const browser = await signedIn(required.app)
    const plain = await browser.get(`${AUTHORIZE}?${authorizeQuery()}`)
    expect(locationParams(plain.headers.location).get('error')).to.equal('invalid_request')
    expect(locationParams((await browser.get(byReference(await pushed(required.app)))).headers.location).get('code')).to.have.length(43)

    const perClient = hostApp({ clients: hostClients({ requirePar: true }) })
    const other = await signedIn(perClient.app)
    expect(locationParams((await other.get(`${AUTHORIZE}?${authorizeQuery()}`)).headers.location).get('error')).to.equal('invalid_request')
  })

  it('checks the pushed parameters as /authorize does, answering JSON and never redirecting', async () => {
    const { app } = hostApp()
    const refusals: Array<[Record<string, string | undefined>, string]> = [
      [{ redirect_uri: 'https://evil.example/cb' }, 'invalid_request'],
      [{ code_challenge: undefined }, 'invalid_request'],
      [{ scope: 'admin' }, 'invalid_scope'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ request_uri: 'urn:ietf:params:oauth:request_uri:x' }, 'invalid_request'],
      [{ dpop_jkt: 'short' }, 'invalid_request'],
    ]
    for (const [overrides, error] of refusals) {
      const res = await push(app, pushedForm(overrides))
      expect(res.status, JSON.stringify(overrides)).to.equal(400)
      expect(res.headers.location).to.equal(undefined)
      expect(res.body.error, JSON.stringify(overrides)).to.equal(error)
    }
  })

  it('authenticates the client as /token does: client_id must be the authenticated client', async () => {
    const { app } = hostApp()
    const crm = pushedForm({ client_id: 'crm', redirect_uri: 'https://crm.example.com/oauth' })
    expect((await push(app, crm).set('Authorization', oauthBasic('crm', 'wrong-secret-0123456'))).status).to.equal(401)
    const mismatch = await push(app, pushedForm()).set('Authorization', oauthBasic('crm', CRM_SECRET))
    expect(mismatch.status).to.equal(400)
    expect(mismatch.body.error).to.equal('invalid_request')
    expect((await push(app, { ...pushedForm(), client_secret: 'not-a-public-client-secret' })).status).to.equal(401)
  })

  it('binds every resource pushed, repeated as at /authorize', async () => {
    const grants: unknown[] = []
    const { app } = hostApp({
      issueTokens: (grant) => {
        grants.push(grant)
        return { access_token: 'at', token_type: 'Bearer', expires_in: 60 }
      },
    })
    const form = `${authorizeQuery()}&resource=${encodeURIComponent('https://a.example/')}&resource=${encodeURIComponent('https://b.example/')}`
    const res = await request(app).post(PAR).type('form').send(form)
    expect(res.status, res.text).to.equal(201)
    const browser = await signedIn(app)
    const code = locationParams((await browser.get(byReference(res.body.request_uri))).headers.location).get('code')
    await request(app)
      .post(`${MOUNT}/token`)
      .type('form')
      .send({ grant_type: 'authorization_code', code, client_id: 'web', redirect_uri: WEB_REDIRECT, code_verifier: VERIFIER })
      .expect(200)
    expect(grants[0]).to.deep.include({ resource: ['https://a.example/', 'https://b.example/'] })
  })

  it('binds the code to the key of a DPoP proof sent to /par; a dpop_jkt of another key, or a replayed proof, is refused', async () => {
    const { app } = hostApp()
    const key = await dpopKey()
    const proof = await dpopProof(key, { claims: { htu: `${ISSUER}/par` } })
    const res = await push(app).set('DPoP', proof)
    expect(res.status, res.text).to.equal(201)
    const browser = await signedIn(app)
    const code = locationParams((await browser.get(byReference(res.body.request_uri))).headers.location).get('code') as string
    const exchange = (dpop?: string) => {
      const sent = request(app).post(`${MOUNT}/token`).type('form')
      if (dpop !== undefined) sent.set('DPoP', dpop)
      return sent.send({ grant_type: 'authorization_code', code, client_id: 'web', redirect_uri: WEB_REDIRECT, code_verifier: VERIFIER })
    }
    const unbound = await exchange()
    expect(unbound.body.error, 'the code is bound to the key').to.equal('invalid_grant')

    const replayed = await push(app).set('DPoP', proof)
    expect(replayed.status).to.equal(400)
    expect(replayed.body.error).to.equal('invalid_dpop_proof')
    const other = await dpopKey()
    const mismatch = await push(app, pushedForm({ dpop_jkt: other.jkt })).set(
      'DPoP',
      await dpopProof(key, { claims: { htu: `${ISSUER}/par` } }),
    )
    expect(mismatch.status).to.equal(400)
    expect(mismatch.body.error).to.equal('invalid_dpop_proof')
  })

  describe('on Redis', () => {
    const redis = useTestRedis()
    const onRedis = (overrides: Partial<AuthcodeOptions> = {}) => hostApp({ redis: redis.client, keyPrefix: redis.prefix, ...overrides })

    it('gives exactly one code for a request_uri used by many requests at once, from two processes', async () => {
      const one = onRedis()
      const other = onRedis()
      const requestUri = await pushed(one.app)
      const browsers = await Promise.all([one.app, other.app, one.app, other.app].map(signedIn))
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) => (browsers[i % 4] as Browser).get(byReference(requestUri, `&n=${i}`))),
      )
      const codes = answers.filter((res) => res.status === 303 && locationParams(res.headers.location).get('code'))
      expect(codes, 'one code').to.have.length(1)
      for (const res of answers.filter((one) => !codes.includes(one))) refusedWithPage(res)
    })

    it('keeps no request_uri in a form a dump could use: only a digest names it', async () => {
      const { app } = onRedis()
      const requestUri = await pushed(app)
      const keys = await keysUnder(redis.client, redis.prefix)
      const pushedKeys = keys.filter((key) => key.includes('par:'))
      expect(pushedKeys).to.have.length(1)
      expect(pushedKeys[0]).not.to.include(requestUri.split(':').at(-1))
      expect(await redis.client.pTTL(pushedKeys[0] as string)).to.be.within(59_000, 60_000)
      // First used: it lasts the round trips from then, and a second read does not extend it again.
      expect((await new Browser(app).get(byReference(requestUri))).status).to.equal(303)
      expect(await redis.client.pTTL(pushedKeys[0] as string)).to.be.within(599_000, 600_000)
      await redis.client.pExpire(pushedKeys[0] as string, 30_000)
      expect((await new Browser(app).get(byReference(requestUri))).status).to.equal(303)
      expect(await redis.client.pTTL(pushedKeys[0] as string)).to.be.within(29_000, 30_000)
    })
  })
})

/** The clients of {@link hostApp}, the public `web` one with `web` fields changed. */
function hostClients(web: object = {}) {
  return [
    { id: 'web', redirectUris: [WEB_REDIRECT], scopes: ['openid', 'profile'], ...web },
    { id: 'crm', secret: CRM_SECRET, captureRoles: ['access_issuer' as const], redirectUris: ['https://crm.example.com/oauth'] },
  ]
}
