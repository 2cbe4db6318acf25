import { expect } from 'chai'
import session from 'express-session'
import request from 'supertest'
import { AuthcodeOptionsError, MemoryStore, OPTIONS_ERROR_CODES } from '../lib/index.js'
import type { AuthcodeEvent, ClientOptions } from '../types/index.js'
import { baseOptions, buildApp, MOUNT } from './helpers/app.js'
import { byAttributes, registerTestSdk } from './helpers/otel.js'
import { authorizeQuery, authTimeOfSession, hostApp, locationParams, signedIn, type Agent } from './helpers/host-app.js'

const AUTHORIZE = `${MOUNT}/authorize`
const CLI_REDIRECT = 'http://127.0.0.1/callback'
const cli: ClientOptions = { id: 'cli', applicationType: 'native', redirectUris: [CLI_REDIRECT], scopes: ['openid', 'profile'] }
const web: ClientOptions = { id: 'web', redirectUris: ['https://shop.example.com/callback'], scopes: ['openid', 'profile'] }
const cliQuery = (overrides: Record<string, string | undefined> = {}) =>
  authorizeQuery({ client_id: 'cli', redirect_uri: 'http://127.0.0.1:49152/callback', ...overrides })

function consentApp(clients: ClientOptions[] = [cli, web]) {
  const built = hostApp({ clients, consentUrl: '/consent', getAuthTime: authTimeOfSession })
  const issued: AuthcodeEvent<'authorization.CodeIssued'>[] = []
  built.auth.on('authorization.CodeIssued', (event) => void issued.push(event))
  return { ...built, issued }
}

/** Answers the consent page the way a host's page would, and follows the browser back to /authorize. */
async function decide(agent: Agent, consentLocation: string, decision: 'grant' | 'deny') {
  const page = locationParams(consentLocation)
  const back = await agent
    .post('/consent')
    .type('form')
    .send({ decision, client_id: page.get('client_id'), scope: page.get('scope'), return_to: page.get('return_to') })
    .expect(303)
  return agent.get(back.headers.location as string).expect(303)
}

describe('GET /authorize consent', () => {
  it('sends a signed-in user to consentUrl before a native client gets a code, with return_to, client_id and scope', async () => {
    const { app, issued } = consentApp()
    const agent = await signedIn(app)
    const path = `${AUTHORIZE}?${cliQuery({ scope: 'openid profile' })}`
    const res = await agent.get(path).expect(303)
    const location = res.headers.location as string
    expect(location.startsWith('/consent?')).to.equal(true)
    const page = locationParams(location)
    expect(page.get('client_id')).to.equal('cli')
    expect(page.get('scope')).to.equal('openid profile')
    expect(page.get('return_to')).to.equal(path)
    expect(issued).to.have.length(0)
  })

  it('issues the code once the user approved the client on the consent page', async () => {
    const { app, issued } = consentApp()
    const agent = await signedIn(app)
    const toConsent = await agent.get(`${AUTHORIZE}?${cliQuery()}`).expect(303)
    const back = await decide(agent, toConsent.headers.location as string, 'grant')
    const params = locationParams(back.headers.location)
    expect(back.headers.location?.startsWith('http://127.0.0.1:49152/callback?')).to.equal(true)
    expect(params.get('code')).to.have.length(43)
    expect(params.get('state')).to.equal('st-123')
    expect(issued).to.have.length(1)
  })

  it('asks again on the next request of a native client, even for the same scope in the same session', async () => {
    const { app } = consentApp()
    const agent = await signedIn(app)
    await decide(agent, (await agent.get(`${AUTHORIZE}?${cliQuery()}`)).headers.location as string, 'grant')
    const again = await agent.get(`${AUTHORIZE}?${cliQuery()}`).expect(303)
    expect(again.headers.location?.startsWith('/consent?')).to.equal(true)
  })

  it('asks again when the client asks for more scope than the user approved', async () => {
    const { app } = consentApp()
    const agent = await signedIn(app)
    await decide(agent, (await agent.get(`${AUTHORIZE}?${cliQuery({ scope: 'openid' })}`)).headers.location as string, 'grant')
    const more = await agent.get(`${AUTHORIZE}?${cliQuery({ scope: 'openid profile' })}`).expect(303)
    expect(more.headers.location?.startsWith('/consent?')).to.equal(true)
  })

  it('sends the client error=access_denied with its state when the user refused, and asks again next time', async () => {
    const { app, issued } = consentApp()
    const agent = await signedIn(app)
    const back = await decide(agent, (await agent.get(`${AUTHORIZE}?${cliQuery()}`)).headers.location as string, 'deny')
    const params = locationParams(back.headers.location)
    expect(back.headers.location?.startsWith('http://127.0.0.1:49152/callback?')).to.equal(true)
    expect(params.get('error')).to.equal('access_denied')
    expect(params.get('state')).to.equal('st-123')
    expect(params.has('code')).to.equal(false)
    expect(issued).to.have.length(0)
    const later = await agent.get(`${AUTHORIZE}?${cliQuery()}`).expect(303)
    expect(later.headers.location?.startsWith('/consent?')).to.equal(true)
  })

  it('counts a refusal on the consent page as no rejected request: the user answered, the endpoint refused nothing', async () => {
    const sdk = registerTestSdk()
    try {
      const { app } = consentApp()
      const agent = await signedIn(app)
      await decide(agent, (await agent.get(`${AUTHORIZE}?${cliQuery()}`)).headers.location as string, 'deny')
      await agent.get(`${AUTHORIZE}?${cliQuery({ client_id: 'nobody' })}`).expect(400)
      const rejected = byAttributes((await sdk.metrics()).get('authcode.requests.rejected')?.points)
      expect(rejected).to.deep.equal({ 'authcode.endpoint=GET /authorize,authcode.reason=invalid': 1 })
    } finally {
      await sdk.shutdown()
    }
  })

  it('sends the user to the consent page without changing their session, so express-session does not save it again', async () => {
    class CountingStore extends session.MemoryStore {
      saves = 0
      override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
        this.saves++
        super.set(sid, data, callback)
      }
    }
    const store = new CountingStore()
    const { app } = hostApp({ clients: [cli, web], consentUrl: '/consent', getAuthTime: authTimeOfSession }, store)
    const agent = await signedIn(app)
    const before = store.saves
    const res = await agent.get(`${AUTHORIZE}?${cliQuery()}`).expect(303)
    expect(res.headers.location?.startsWith('/consent?')).to.equal(true)
    expect(store.saves).to.equal(before)
  })

  it('asks again with prompt=consent even when the user approved before, then issues', async () => {
    const { app } = consentApp()
    const agent = await signedIn(app)
    await decide(agent, (await agent.get(`${AUTHORIZE}?${cliQuery()}`)).headers.location as string, 'grant')
    const asked = await agent.get(`${AUTHORIZE}?${cliQuery({ prompt: 'consent' })}`).expect(303)
    expect(asked.headers.location?.startsWith('/consent?')).to.equal(true)
    const back = await decide(agent, asked.headers.location as string, 'grant')
    expect(locationParams(back.headers.location).get('code')).to.have.length(43)
  })

  it('asks a web client for consent only with prompt=consent', async () => {
    const { app } = consentApp()
    const agent = await signedIn(app)
    const plain = await agent.get(`${AUTHORIZE}?${authorizeQuery()}`).expect(303)
    expect(locationParams(plain.headers.location).get('code')).to.have.length(43)
    const asked = await agent.get(`${AUTHORIZE}?${authorizeQuery({ prompt: 'consent' })}`).expect(303)
    expect(asked.headers.location?.startsWith('/consent?')).to.equal(true)
  })

  it('requires consent for a web client registered with consent: required', async () => {
    const { app } = consentApp([{ ...web, consent: 'required' }])
    const agent = await signedIn(app)
    const res = await agent.get(`${AUTHORIZE}?${authorizeQuery()}`).expect(303)
    expect(res.headers.location?.startsWith('/consent?')).to.equal(true)
  })

  it('issues without asking for a native client registered with consent: implicit', async () => {
    const { app } = consentApp([{ ...cli, consent: 'implicit' }])
    const agent = await signedIn(app)
    const res = await agent.get(`${AUTHORIZE}?${cliQuery()}`).expect(303)
    expect(locationParams(res.headers.location).get('code')).to.have.length(43)
  })

  it('sends the client error=consent_required with prompt=none when the user has not approved it', async () => {
    const { app } = consentApp()
    const agent = await signedIn(app)
    const res = await agent.get(`${AUTHORIZE}?${cliQuery({ prompt: 'none' })}`).expect(303)
    expect(locationParams(res.headers.location).get('error')).to.equal('consent_required')
  })

  it('does not apply one user’s approval to another user signed in to the same browser', async () => {
    // A remembered approval, and a host that does not regenerate the session at sign-in.
    const { app } = consentApp([{ ...web, consent: 'remember' }])
    const agent = await signedIn(app, 'alice')
    await decide(agent, (await agent.get(`${AUTHORIZE}?${authorizeQuery()}`)).headers.location as string, 'grant')
    await agent.post('/login').type('form').send({ user: 'bob', keep_session: '1' }).expect(303)
    const res = await agent.get(`${AUTHORIZE}?${authorizeQuery()}`).expect(303)
    expect(res.headers.location?.startsWith('/consent?')).to.equal(true)
  })

  it('refuses at authcode() a client that needs consent when there is no consentUrl', () => {
    expect(() => buildApp(baseOptions({ store: new MemoryStore(), loginUrl: '/login', clients: [cli] })))
      .to.throw(AuthcodeOptionsError, /client "cli" needs the user's consent.*"consentUrl" is required/)
      .with.property('code', OPTIONS_ERROR_CODES.missing)
  })

  it('refuses grantConsent for a request with nobody signed in, and for an unknown client', async () => {
    const { auth } = consentApp()
    const req = { session: {}, get: () => undefined } as never
    await auth.grantConsent(req, { clientId: 'cli', scope: 'openid', returnTo: AUTHORIZE }).then(
      () => expect.fail('resolved'),
      (err: unknown) => expect(err).to.be.instanceOf(TypeError),
    )
    const signedInReq = { session: { userId: 'u' } } as never
    await auth.grantConsent(signedInReq, { clientId: 'nobody', returnTo: AUTHORIZE }).then(
      () => expect.fail('resolved'),
      (err: unknown) => expect((err as Error).message).to.match(/not a registered client/),
    )
  })
})

describe('GET /authorize prompt=login and max_age', () => {
  it('sends a signed-in user to sign in again with prompt=login, then issues after the fresh sign-in', async () => {
    const { app } = consentApp()
    const agent = await signedIn(app)
    const res = await agent.get(`${AUTHORIZE}?${authorizeQuery({ prompt: 'login' })}`).expect(303)
    const location = res.headers.location as string
    expect(location.startsWith('/login?')).to.equal(true)
    expect(locationParams(location).get('prompt')).to.equal('login')
    const back = await agent
      .post('/login')
      .type('form')
      .send({ user: 'user-42', return_to: locationParams(location).get('return_to') })
      .expect(303)
    const done = await agent.get(back.headers.location as string).expect(303)
    expect(locationParams(done.headers.location).get('code')).to.have.length(43)
  })

  it('asks again while the sign-in is older than the request that asked for it', async () => {
    const { app } = consentApp()
    const agent = await signedIn(app)
    const location = (await agent.get(`${AUTHORIZE}?${authorizeQuery({ prompt: 'login' })}`)).headers.location as string
    const returnTo = locationParams(location).get('return_to') as string
    // Coming back without signing in again (an old session) is sent to the login page once more.
    await agent.post('/login').type('form').send({ user: 'user-42', ago: '120' }).expect(303)
    const again = await agent.get(returnTo).expect(303)
    expect(again.headers.location?.startsWith('/login?')).to.equal(true)
  })

  it('issues within max_age, and sends an older sign-in to the login page', async () => {
    const { app } = consentApp()
    const fresh = request.agent(app)
    await fresh.post('/login').type('form').send({ user: 'u', ago: '10' }).expect(303)
    const ok = await fresh.get(`${AUTHORIZE}?${authorizeQuery({ max_age: '60' })}`).expect(303)
    expect(locationParams(ok.headers.location).get('code')).to.have.length(43)
    const stale = request.agent(app)
    await stale.post('/login').type('form').send({ user: 'u', ago: '120' }).expect(303)
    const toLogin = await stale.get(`${AUTHORIZE}?${authorizeQuery({ max_age: '60' })}`).expect(303)
    expect(toLogin.headers.location?.startsWith('/login?')).to.equal(true)
  })

  it('sends the client error=login_required for prompt=login when the host cannot tell when the user signed in', async () => {
    const { app } = hostApp()
    const agent = await signedIn(app)
    for (const query of [authorizeQuery({ prompt: 'login' }), authorizeQuery({ max_age: '60' })]) {
      const res = await agent.get(`${AUTHORIZE}?${query}`).expect(303)
      expect(locationParams(res.headers.location).get('error')).to.equal('login_required')
    }
  })

  it('sends the client error=login_required with prompt=none when the sign-in is too old', async () => {
    const { app } = consentApp()
    const agent = request.agent(app)
    await agent.post('/login').type('form').send({ user: 'u', ago: '120' }).expect(303)
    const res = await agent.get(`${AUTHORIZE}?${authorizeQuery({ prompt: 'none', max_age: '60' })}`).expect(303)
    expect(locationParams(res.headers.location).get('error')).to.equal('login_required')
  })

  for (const [what, query] of [
    ['max_age that is not a number', { max_age: 'soon' }],
    ['prompt=none with another value', { prompt: 'none login' }],
  ] as const) {
    it(`redirects with error=invalid_request for ${what}`, async () => {
      const { app } = consentApp()
      const agent = await signedIn(app)
      const res = await agent.get(`${AUTHORIZE}?${authorizeQuery(query)}`).expect(303)
      expect(locationParams(res.headers.location).get('error')).to.equal('invalid_request')
    })
  }

  it('passes prompt values it does not act on, such as select_account', async () => {
    const { app } = consentApp()
    const agent = await signedIn(app)
    const res = await agent.get(`${AUTHORIZE}?${authorizeQuery({ prompt: 'select_account' })}`).expect(303)
    expect(locationParams(res.headers.location).get('code')).to.have.length(43)
  })
})

describe('GET /authorize with HEAD', () => {
  it('answers 405 with Allow: GET and issues nothing for a signed-in user', async () => {
    const { app, issued } = consentApp()
    const agent = await signedIn(app)
    const res = await agent.head(`${AUTHORIZE}?${authorizeQuery()}`).expect(405)
    expect(res.headers.allow).to.equal('GET')
    expect(res.headers.location).to.equal(undefined)
    expect(res.headers['cache-control']).to.equal('no-store')
    expect(issued).to.have.length(0)
    // The same request as GET still works.
    expect(locationParams((await agent.get(`${AUTHORIZE}?${authorizeQuery()}`)).headers.location).get('code')).to.have.length(43)
  })
})
