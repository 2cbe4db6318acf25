import { expect } from 'chai'
import request from 'supertest'
import { createExampleApp, type ExampleApp, type ExampleAppOptions } from '../../example-app/app.js'
import { configFromEnv } from '../../example-app/config.js'
import { SESSION_COOKIE } from '../../example-app/session.js'

/** The development pages: every one answers 404 unless the app serves them. */
const DEV_PAGES = ['/mailbox', '/metrics', '/ops', '/ops/data.json', '/capture-demo', '/support'] as const
const DEV_LINK = /href="\/(mailbox|metrics|ops|capture-demo|support)"/

/** Builds the example app for the duration of `body`, then closes it (one at a time: each registers the global meter provider). */
async function withApp(options: Partial<ExampleAppOptions>, body: (app: ExampleApp['app']) => Promise<void>): Promise<void> {
  const example = await createExampleApp({ baseUrl: 'http://127.0.0.1:3999', ...options })
  try {
    await body(example.app)
  } finally {
    await example.close()
  }
}

/** A supertest agent signed in as a demo user through the sign-in form. */
async function signedIn(app: ExampleApp['app']) {
  const agent = request.agent(app)
  const res = await agent.post('/login').type('form').send({ user_id: 'user-ada', return_to: '/' })
  expect(res.status).to.equal(303)
  return agent
}

describe('example app: development pages and https', function () {
  it('answers 404 on every development page, signed in or not, and links to none, without EXAMPLE_DEV_ROUTES', async () => {
    await withApp({}, async (app) => {
      const agent = await signedIn(app)
      for (const path of DEV_PAGES) {
        expect((await request(app).get(path)).status, `${path} anonymous`).to.equal(404)
        expect((await agent.get(path)).status, `${path} signed in`).to.equal(404)
      }
      expect((await agent.post('/capture-demo').type('form').send({ email: 'grace@example.com' })).status).to.equal(404)
      expect((await agent.post('/support').type('form').send({ email: 'grace@example.com' })).status).to.equal(404)
      for (const path of ['/', '/magic-link', '/login']) expect((await agent.get(path)).text, path).not.to.match(DEV_LINK)
      expect((await agent.post('/magic/send').type('form').send({ email: 'nobody@example.com' })).text).not.to.match(DEV_LINK)
    })
  })

  it('serves the development pages and links to them with devRoutes', async () => {
    await withApp({ devRoutes: true }, async (app) => {
      const agent = await signedIn(app)
      for (const path of DEV_PAGES) expect((await agent.get(path)).status, path).to.equal(200)
      expect((await request(app).get('/metrics')).text).to.match(/^# HELP /m)
      const home = (await agent.get('/')).text
      for (const path of ['/mailbox', '/ops', '/metrics', '/capture-demo', '/support']) expect(home).to.include(`href="${path}"`)
    })
  })

  it('reads EXAMPLE_DEV_ROUTES: 1 on, 0 or unset off, anything else refused', () => {
    expect(configFromEnv({ EXAMPLE_DEV_ROUTES: '1' }).devRoutes).to.equal(true)
    expect(configFromEnv({ EXAMPLE_DEV_ROUTES: '0' }).devRoutes).to.equal(false)
    expect(configFromEnv({}).devRoutes).to.equal(false)
    expect(() => configFromEnv({ EXAMPLE_DEV_ROUTES: 'true' })).to.throw(/EXAMPLE_DEV_ROUTES must be 1/)
  })

  it('on an https BASE_URL, trusts the TLS proxy and sets the session cookie only with Secure', async () => {
    await withApp({ baseUrl: 'https://id.example.test' }, async (app) => {
      const viaProxy = await request(app)
        .post('/login')
        .set('X-Forwarded-Proto', 'https')
        .type('form')
        .send({ user_id: 'user-ada', return_to: '/' })
      expect(viaProxy.status).to.equal(303)
      const cookie = (viaProxy.get('Set-Cookie') ?? []).find((line) => line.startsWith(`${SESSION_COOKIE}=`))
      expect(cookie, 'a session cookie through the proxy').to.be.a('string')
      expect(cookie).to.match(/;\s*Secure/i)
      expect(cookie).to.match(/;\s*HttpOnly/i)
      // A request the proxy did not mark https (or one that bypassed it) never gets the cookie without Secure.
      const plain = await request(app).post('/login').type('form').send({ user_id: 'user-ada', return_to: '/' })
      expect(plain.get('Set-Cookie') ?? []).to.satisfy((lines: string[]) =>
        lines.every((line) => !line.startsWith(`${SESSION_COOKIE}=`) || /;\s*Secure/i.test(line)),
      )
    })
  })
})
