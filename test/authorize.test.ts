import { expect } from 'chai'
import express from 'express'
import session from 'express-session'
import request from 'supertest'
import { InvalidGrantError, MemoryStore } from '../lib/index.js'
import type { AuthcodeEvent } from '../types/index.js'
import { ISSUER, MOUNT, VERIFIER, WEB_REDIRECT } from './helpers/app.js'
import { AUTHORIZE, authorizeQuery, hostApp, locationParams, signedIn, withoutErrorLog } from './helpers/host-app.js'
import { slugOf } from './helpers/http.js'
import { connectRedis } from './helpers/redis.js'

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

describe('GET /authorize', () => {
  describe('when the client or redirect URI cannot be trusted (never a redirect)', () => {
    const refusals: Array<[string, Record<string, string | undefined>, string]> = [
      ['client_id is missing', { client_id: undefined }, 'client_id'],
      ['client_id names no registered client', { client_id: 'nobody' }, 'client_id'],
      ['redirect_uri is missing', { redirect_uri: undefined }, 'redirect_uri'],
      ['redirect_uri is not registered for the client', { redirect_uri: 'https://evil.example/callback' }, 'redirect_uri'],
      ['redirect_uri is registered for another client', { redirect_uri: 'https://crm.example.com/oauth' }, 'redirect_uri'],
    ]
    for (const [when, overrides, pointer] of refusals) {
      it(`answers 400 problem+json without a Location when ${when}`, async () => {
        const { app } = hostApp()
        const res = await request(app)
          .get(`${AUTHORIZE}?${authorizeQuery(overrides)}`)
          .expect(400)
        expect(res.headers.location).to.equal(undefined)
        expect(res.headers['content-type']).to.match(/^application\/problem\+json/)
        expect(slugOf(res.body)).to.equal('validation-error')
        expect(res.body.errors).to.deep.equal([{ detail: res.body.errors[0].detail, pointer: `#/query/${pointer}` }])
      })
    }

    it('answers 400 without a Location when client_id is given twice', async () => {
      const { app } = hostApp()
      const res = await request(app).get(`${AUTHORIZE}?${authorizeQuery()}&client_id=crm`).expect(400)
      expect(res.headers.location).to.equal(undefined)
      expect(res.body.errors[0].pointer).to.equal('#/query/client_id')
    })

    it('answers 400 without a Location when redirect_uri is given twice', async () => {
      const { app } = hostApp()
      const res = await request(app)
        .get(`${AUTHORIZE}?${authorizeQuery()}&redirect_uri=${encodeURIComponent(WEB_REDIRECT)}`)
        .expect(400)
      expect(res.headers.location).to.equal(undefined)
      expect(res.body.errors[0].pointer).to.equal('#/query/redirect_uri')
    })

    it('shows an HTML page to a browser, echoing nothing from the request', async () => {
      const { app } = hostApp()
      const evil = '<script>alert(1)</script>'
      const res = await request(app)
        .get(`${AUTHORIZE}?${authorizeQuery({ client_id: evil, state: evil, scope: evil })}`)
        .set('Accept', BROWSER_ACCEPT)
        .expect(400)
      expect(res.headers['content-type']).to.match(/^text\/html; charset=utf-8/)
      expect(res.headers.location).to.equal(undefined)
      expect(res.text).to.include('<h1>')
      expect(res.text).not.to.include('<script')
      expect(res.text).not.to.include('alert')
    })
  })

  describe('when the request is faulty but its redirect URI is trusted (303 to the client)', () => {
    const faults: Array<[string, Record<string, string | undefined>, string]> = [
      ['response_type is missing', { response_type: undefined }, 'invalid_request'],
      ['response_type is not code', { response_type: 'token' }, 'unsupported_response_type'],
      ['scope is missing (there is no default scope)', { scope: undefined }, 'invalid_scope'],
      ['scope asks for a scope the client is not registered for', { scope: 'openid admin' }, 'invalid_scope'],
      ['scope is malformed', { scope: 'openid  profile' }, 'invalid_scope'],
      ['code_challenge is missing', { code_challenge: undefined }, 'invalid_request'],
      ['code_challenge is too short', { code_challenge: 'abc' }, 'invalid_request'],
      ['code_challenge has characters outside the unreserved set', { code_challenge: `${'a'.repeat(43)}+` }, 'invalid_request'],
      ['code_challenge_method is missing', { code_challenge_method: undefined }, 'invalid_request'],
      ['code_challenge_method is plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ]
    for (const [when, overrides, error] of faults) {
      it(`redirects with error=${error} when ${when}`, async () => {
        const { app } = hostApp()
        const res = await request(app)
          .get(`${AUTHORIZE}?${authorizeQuery(overrides)}`)
          .expect(303)
        expect(res.headers.location?.startsWith(`${WEB_REDIRECT}?`)).to.equal(true)
        const params = locationParams(res.headers.location)
        expect(params.get('error')).to.equal(error)
        expect(params.get('error_description')).to.be.a('string').and.not.equal('')
        expect(params.get('state')).to.equal('st-123')
        expect(params.get('iss')).to.equal(ISSUER)
        expect(params.has('code')).to.equal(false)
      })
    }

    it('redirects with error=invalid_request and no state when state is missing', async () => {
      const { app } = hostApp()
      const res = await request(app)
        .get(`${AUTHORIZE}?${authorizeQuery({ state: undefined })}`)
        .expect(303)
      const params = locationParams(res.headers.location)
      expect(params.get('error')).to.equal('invalid_request')
      expect(params.has('state')).to.equal(false)
      expect(params.get('iss')).to.equal(ISSUER)
    })

    it('redirects with error=invalid_request when a parameter is given twice', async () => {
      const { app } = hostApp()
      const res = await request(app).get(`${AUTHORIZE}?${authorizeQuery()}&scope=profile`).expect(303)
      const params = locationParams(res.headers.location)
      expect(params.get('error')).to.equal('invalid_request')
      expect(params.get('error_description')).to.include('scope')
    })

    it('does not echo a state that was given twice', async () => {
      const { app } = hostApp()
      const res = await request(app).get(`${AUTHORIZE}?${authorizeQuery()}&state=other`).expect(303)
      const params = locationParams(res.headers.location)
      expect(params.get('error')).to.equal('invalid_request')
      expect(params.has('state')).to.equal(false)
    })

    it('keeps the query parameters of the registered redirect URI', async () => {
      const redirect = 'https://shop.example.com/cb?tenant=a&lang=en'
      const { app } = hostApp({ clients: [{ id: 'web', redirectUris: [redirect], scopes: ['openid'] }] })
      const res = await request(app)
        .get(`${AUTHORIZE}?${authorizeQuery({ redirect_uri: redirect, response_type: 'token' })}`)
        .expect(303)
      expect(res.headers.location?.startsWith(`${redirect}&`)).to.equal(true)
      const params = locationParams(res.headers.location)
      expect(params.get('tenant')).to.equal('a')
      expect(params.get('error')).to.equal('unsupported_response_type')
    })

    it('redirects with error=temporarily_unavailable when the code store is down', async () => {
      const redis = await connectRedis()
      redis.destroy()
      const { app } = hostApp({ redis })
      const agent = await signedIn(app)
      const res = await agent.get(`${AUTHORIZE}?${authorizeQuery()}`).expect(303)
      const params = locationParams(res.headers.location)
      expect(params.get('error')).to.equal('temporarily_unavailable')
      expect(params.get('state')).to.equal('st-123')
      expect(params.has('code')).to.equal(false)
    })

    it('redirects with error=server_error and deletes the code when a CodeIssued handler throws', async () => {
      const { app, auth } = hostApp()
      let issued: string | undefined
      auth.on('authorization.CodeIssued', (event) => {
        issued = event.data.code
        throw new Error('mailer down')
      })
      const agent = await signedIn(app)
      const res = await withoutErrorLog(() => agent.get(`${AUTHORIZE}?${authorizeQuery()}`).expect(303))
      const params = locationParams(res.headers.location)
      expect(params.get('error')).to.equal('server_error')
      expect(params.has('code')).to.equal(false)
      expect(issued).to.be.a('string')
      await auth.redeem(issued as string, { kind: 'authorize', codeVerifier: VERIFIER }).then(
        () => expect.fail('the code was redeemable'),
        (err) => expect(err).to.be.instanceOf(InvalidGrantError),
      )
    })
  })

  describe('when nobody is signed in', () => {
    it('redirects to loginUrl with return_to set to the relative /authorize URL, exactly as requested', async () => {
      const { app } = hostApp()
      const path = `${AUTHORIZE}?${authorizeQuery()}`
      const res = await request(app).get(path).expect(303)
      const location = res.headers.location as string
      expect(location.startsWith('/login?')).to.equal(true)
      expect(locationParams(location).get('return_to')).to.equal(path)
    })

    it('keeps the query parameters of loginUrl', async () => {
      const { app } = hostApp({ loginUrl: 'https://login.example.com/signin?brand=shop' })
      const res = await request(app).get(`${AUTHORIZE}?${authorizeQuery()}`).expect(303)
      const location = res.headers.location as string
      expect(location.startsWith('https://login.example.com/signin?brand=shop&return_to=')).to.equal(true)
    })

    it('redirects to the client with error=login_required when prompt=none', async () => {
      const { app } = hostApp()
      const res = await request(app)
        .get(`${AUTHORIZE}?${authorizeQuery({ prompt: 'none' })}`)
        .expect(303)
      const params = locationParams(res.headers.location)
      expect(res.headers.location?.startsWith(`${WEB_REDIRECT}?`)).to.equal(true)
      expect(params.get('error')).to.equal('login_required')
      expect(params.get('state')).to.equal('st-123')
      expect(params.get('iss')).to.equal(ISSUER)
    })

    it('redirects to the client with error=login_required when getUser finds nobody and there is no loginUrl', async () => {
      const { app } = hostApp({ loginUrl: undefined, getUser: () => null })
      const res = await request(app).get(`${AUTHORIZE}?${authorizeQuery()}`).expect(303)
      expect(locationParams(res.headers.location).get('error')).to.equal('login_required')
    })

    it('answers a 500 problem naming express-session when no session middleware ran', async () => {
      const { app } = hostApp({}, false)
      const res = await withoutErrorLog(() => request(app).get(`${AUTHORIZE}?${authorizeQuery()}`).expect(500))
      expect(res.headers.location).to.equal(undefined)
      expect(slugOf(res.body)).to.equal('misconfigured')
      expect(res.body.detail).to.include('express-session')
    })
  })

  describe('when a user is signed in', () => {
    it('redirects with code, state and iss; the code is bound to client, redirect URI, scope, user and challenge', async () => {
      const { app, auth } = hostApp()
      const agent = await signedIn(app, 'user-7')
      const res = await agent.get(`${AUTHORIZE}?${authorizeQuery({ scope: 'openid profile openid' })}`).expect(303)
      expect(res.headers.location?.startsWith(`${WEB_REDIRECT}?`)).to.equal(true)
      const params = locationParams(res.headers.location)
      expect(params.get('state')).to.equal('st-123')
      expect(params.get('iss')).to.equal(ISSUER)
      const code = params.get('code') as string
      expect(code).to.match(/^[A-Za-z0-9_-]{43}$/)
      const grant = await auth.redeem(code, { kind: 'authorize', clientId: 'web', redirectUri: WEB_REDIRECT, codeVerifier: VERIFIER })
      expect(grant).to.include({
        kind: 'authorize',
        subject: 'user-7',
        clientId: 'web',
        scope: 'openid profile',
        redirectUri: WEB_REDIRECT,
      })
      expect(grant.expiresAt.getTime() - grant.issuedAt.getTime()).to.equal(60_000)
    })

    it('issues a code that a wrong code_verifier cannot redeem', async () => {
      const { app, auth } = hostApp()
      const agent = await signedIn(app)
      const res = await agent.get(`${AUTHORIZE}?${authorizeQuery()}`).expect(303)
      const code = locationParams(res.headers.location).get('code') as string
      await auth.redeem(code, { kind: 'authorize', codeVerifier: `${VERIFIER}x` }).then(
        () => expect.fail('redeemed'),
        (err) => expect(err).to.be.instanceOf(InvalidGrantError),
      )
    })

    it('issues a code that /token exchanges for the client with the verifier', async () => {
      const { app } = hostApp()
      const agent = await signedIn(app, 'user-9')
      const res = await agent.get(`${AUTHORIZE}?${authorizeQuery()}`).expect(303)
      const code = locationParams(res.headers.location).get('code') as string
      const token = await request(app)
        .post(`${MOUNT}/token`)
        .type('form')
        .send({ grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, client_id: 'web', code_verifier: VERIFIER })
        .expect(200)
      expect(token.body.access_token).to.equal('at-for-user-9')
    })

    it('fires authorization.CodeIssued with kind authorize before redirecting', async () => {
      const { app, auth } = hostApp()
      const events: AuthcodeEvent<'authorization.CodeIssued'>[] = []
      auth.on('authorization.CodeIssued', (event) => {
        events.push(event)
      })
      const agent = await signedIn(app)
      const res = await agent.get(`${AUTHORIZE}?${authorizeQuery()}`).expect(303)
      expect(events).to.have.length(1)
      expect(events[0]?.data).to.include({
        kind: 'authorize',
        subject: 'user-42',
        clientId: 'web',
        code: locationParams(res.headers.location).get('code'),
      })
    })

    it('keeps the query parameters of the registered redirect URI', async () => {
      const redirect = 'https://shop.example.com/cb?tenant=a'
      const { app } = hostApp({ clients: [{ id: 'web', redirectUris: [redirect], scopes: ['openid'] }] })
      const agent = await signedIn(app)
      const res = await agent.get(`${AUTHORIZE}?${authorizeQuery({ redirect_uri: redirect })}`).expect(303)
      expect(res.headers.location?.startsWith(`${redirect}&code=`)).to.equal(true)
      expect(locationParams(res.headers.location).get('tenant')).to.equal('a')
    })

    it('issues the code when prompt=none', async () => {
      const { app } = hostApp()
      const agent = await signedIn(app)
      const res = await agent.get(`${AUTHORIZE}?${authorizeQuery({ prompt: 'none' })}`).expect(303)
      expect(locationParams(res.headers.location).has('code')).to.equal(true)
    })

    it('reads the user from session.userKey', async () => {
      const app = express()
      app.use(session({ secret: 'test-secret', resave: false, saveUninitialized: false }))
      app.use((req, _res, next) => {
        ;(req.session as unknown as Record<string, unknown>).account = 'acct-5'
        next()
      })
      const { auth } = hostApp({ session: { userKey: 'account' } })
      app.use(MOUNT, auth)
      const res = await request(app).get(`${AUTHORIZE}?${authorizeQuery()}`).expect(303)
      const grant = await auth.redeem(locationParams(res.headers.location).get('code') as string, {
        kind: 'authorize',
        codeVerifier: VERIFIER,
      })
      expect(grant.subject).to.equal('acct-5')
    })

    it('reads the user from getUser(req) when given', async () => {
      const { app, auth } = hostApp({ getUser: (req) => req.get('x-test-user') ?? null }, false)
      const res = await request(app).get(`${AUTHORIZE}?${authorizeQuery()}`).set('X-Test-User', 'header-user').expect(303)
      const grant = await auth.redeem(locationParams(res.headers.location).get('code') as string, {
        kind: 'authorize',
        codeVerifier: VERIFIER,
      })
      expect(grant.subject).to.equal('header-user')
    })
  })

  describe('headers', () => {
    const answers: Array<[string, (app: express.Express) => Promise<request.Response>, number]> = [
      ['a code redirect', async (app) => (await signedIn(app)).get(`${AUTHORIZE}?${authorizeQuery()}`), 303],
      ['an error redirect', (app) => request(app).get(`${AUTHORIZE}?${authorizeQuery({ response_type: 'token' })}`), 303],
      ['a login redirect', (app) => request(app).get(`${AUTHORIZE}?${authorizeQuery()}`), 303],
      ['a 400 problem', (app) => request(app).get(`${AUTHORIZE}?${authorizeQuery({ client_id: 'nobody' })}`), 400],
      [
        'a 400 HTML page',
        (app) =>
          request(app)
            .get(`${AUTHORIZE}?${authorizeQuery({ client_id: 'nobody' })}`)
            .set('Accept', BROWSER_ACCEPT),
        400,
      ],
    ]
    for (const [answer, send, status] of answers) {
      it(`sends no-store, no-referrer, DENY framing and no CORS on ${answer}`, async () => {
        const { app } = corsHostApp()
        const res = await send(app)
        expect(res.status).to.equal(status)
        expect(res.headers['cache-control']).to.equal('no-store')
        expect(res.headers['referrer-policy']).to.equal('no-referrer')
        expect(res.headers['x-frame-options']).to.equal('DENY')
        expect(res.headers['content-security-policy']).to.include("frame-ancestors 'none'")
        expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))).to.deep.equal([])
      })
    }

    it('sends the same headers on a 500 misconfiguration problem', async () => {
      const { app } = hostApp({}, false)
      const res = await withoutErrorLog(() => request(app).get(`${AUTHORIZE}?${authorizeQuery()}`).expect(500))
      expect(res.headers['x-frame-options']).to.equal('DENY')
      expect(res.headers['referrer-policy']).to.equal('no-referrer')
    })
  })

  describe('rate limit', () => {
    it('answers 429 with Retry-After once an IP exceeds the per-IP limit', async () => {
      const { app } = hostApp({ store: new MemoryStore(), rateLimit: { perIp: { limit: 2, windowMs: 60_000 } } })
      const url = `${AUTHORIZE}?${authorizeQuery()}`
      await request(app).get(url).expect(303)
      await request(app).get(url).expect(303)
      const res = await request(app).get(url).expect(429)
      expect(slugOf(res.body)).to.equal('rate-limited')
      expect(res.headers['retry-after']).to.match(/^\d+$/)
      expect(res.headers['x-frame-options']).to.equal('DENY')
      expect(res.headers.location).to.equal(undefined)
    })
  })

  describe('mounting', () => {
    it('is not mounted, nor advertised, without loginUrl or getUser', async () => {
      const { app, auth } = hostApp({ loginUrl: undefined })
      expect(auth.metadata.authorization_endpoint).to.equal(undefined)
      await request(app).get(`${AUTHORIZE}?${authorizeQuery()}`).expect(404)
    })

    it('is mounted and advertised with getUser alone', () => {
      const { auth } = hostApp({ loginUrl: undefined, getUser: () => null })
      expect(auth.metadata.authorization_endpoint).to.equal(`${ISSUER}/authorize`)
    })
  })
})

/** A host app whose own middleware adds CORS headers to everything, as `cors()` mounted app-wide would. */
function corsHostApp() {
  const outer = express()
  outer.use((_req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', '*')
    res.setHeader('Access-Control-Allow-Credentials', 'true')
    next()
  })
  const { app, auth } = hostApp()
  outer.use(app)
  return { app: outer, auth }
}
