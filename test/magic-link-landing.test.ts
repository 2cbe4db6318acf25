import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { authcode, MemoryStore } from '../lib/index.js'
import { csrfToken } from '../lib/endpoints/landing/csrf.js'
import type { AuthcodeOptions, LandingPage } from '../types/index.js'
import { issue, MOUNT, VERIFIER, WEB_REDIRECT } from './helpers/app.js'
import { codesOptions } from './helpers/codes.js'
import {
  CSRF_COOKIE,
  formFields,
  issueLink,
  jsonPages,
  LANDING,
  LANDING_URL,
  landingCookiesOf,
  landingHost,
  TestBrowser,
  unsealed,
  landingLink,
} from './helpers/landing.js'
import { registerTestSdk, type TestSdk } from './helpers/otel.js'
import { useTestRedis } from './helpers/redis.js'
import { fakeClock } from './helpers/clock.js'

const link = landingLink

describe('auth.magicLinkLanding()', () => {
  const redis = useTestRedis()
  const host = (overrides: Partial<AuthcodeOptions> = {}, landing = {}) =>
    landingHost(codesOptions({ redis: redis.client, keyPrefix: redis.prefix, ...overrides }), landing)

  describe('GET: the page a link opens', () => {
    it('shows confirm for a live link: a form that POSTs the code back to the landing path with a CSRF token', async () => {
      const { app } = host()
      const { code } = await issueLink(app)
      const browser = new TestBrowser(app)
      const res = await browser.get(link(code))
      expect(res.status).to.equal(200)
      expect(res.headers['content-type']).to.match(/^text\/html/)
      expect(res.text).to.include('<form method="post" action="/login/magic">')
      expect(res.text).to.include('<button>Sign in</button>')
      const fields = formFields(res.text)
      expect(Object.keys(fields)).to.deep.equal(['code', 'csrf_token'])
      expect(fields.code).to.equal(code)
      expect(fields.csrf_token).to.match(/^[\w-]{43}$/)
      expect(res.text).not.to.match(/<script|<a /)
      const cookie = browser.setCookies.find((line) => line.startsWith(`${CSRF_COOKIE}=`))
      expect(cookie).to.match(/; Path=\/(;|$)/)
      expect(cookie).to.include('; HttpOnly')
      expect(cookie).to.include('; SameSite=Lax')
      expect(cookie).to.include('; Secure')
    })

    it('keeps the browser its CSRF cookie, so two links open in two tabs both confirm', async () => {
      const { app, signedIn } = host()
      const browser = new TestBrowser(app)
      const [first, second] = [await issueLink(app), await issueLink(app, { external_user_id: 'user-7' })]
      const forms = [formFields((await browser.get(link(first.code))).text), formFields((await browser.get(link(second.code))).text)]
      expect(browser.setCookies.filter((line) => line.startsWith(`${CSRF_COOKIE}=`))).to.have.length(1)
      for (const fields of forms.reverse()) expect((await browser.post(LANDING, fields)).status).to.equal(200)
      expect(signedIn.map((grant) => grant.subject)).to.deep.equal(['user-7', 'user-42'])
    })

    it('shows used for a consumed, an unknown and an expired code', async () => {
      // On a store whose clock the test moves, the code expires without waiting.
      const clock = fakeClock()
      const store = new MemoryStore({ now: clock.now })
      const { app, auth } = landingHost(codesOptions({ store }))
      const consumed = (await issueLink(app)).code
      await auth.redeem(consumed, { kind: 'magic_link' })
      const expired = await issue(auth, {
        kind: 'magic_link',
        clientId: 'crm',
        redirectUri: undefined,
        codeChallenge: undefined,
        ttlSeconds: 1,
      })
      clock.advance(1_100)
      for (const code of [consumed, 'A'.repeat(43), expired]) {
        const res = await new TestBrowser(app).get(link(code))
        expect(res.status, code).to.equal(410)
        expect(res.text).to.include('This link no longer works')
        expect(res.text).not.to.include(code)
        expect(res.headers['set-cookie']).to.equal(undefined)
      }
      store.close()
    })

    it('shows used for a code that is not a magic-link code, and spends nothing', async () => {
      const { app, auth } = host()
      const code = await issue(auth)
      const res = await new TestBrowser(app).get(link(code))
      expect(res.status).to.equal(410)
      expect(res.text).to.include('This link no longer works')
      const grant = await auth.redeem(code, { kind: 'authorize', redirectUri: WEB_REDIRECT, codeVerifier: VERIFIER })
      expect(grant.kind).to.equal('authorize')
    })

    for (const [what, query] of [
      ['no code', ''],
      ['an empty code', '?code='],
      ['a malformed code', '?code=abc'],
      ['a repeated code', `?code=${'A'.repeat(43)}&code=${'B'.repeat(43)}`],
      ['markup for a code', `?code=${encodeURIComponent('"><script>alert(1)</script>')}`],
    ]) {
      it(`shows error for ${what}`, async () => {
        const res = await new TestBrowser(host().app).get(`${LANDING}${query}`)
        expect(res.status).to.equal(400)
        expect(res.text).to.include('This magic link is not valid')
        expect(res.text).not.to.include('<form')
        expect(res.text).not.to.include('<script>')
      })
    }

    it('shows other-browser for a bound link opened without its verifier, never presenting the code', async () => {
      const { app } = host()
      const asking = new TestBrowser(app)
      const { code } = await issueLink(app, { code_challenge: await asking.bind(), code_challenge_method: 'S256' })
      for (const elsewhere of [new TestBrowser(app), await boundElsewhere(app)]) {
        const res = await elsewhere.get(link(code))
        expect(res.status).to.equal(403)
        expect(res.text).to.include('Open this link where you asked for it')
        expect(res.text).to.include('passcode')
        expect(res.text).not.to.include(code)
        expect(res.text).not.to.include('<form')
      }
      expect((await asking.get(link(code))).status).to.equal(200)
    })

    it('never consumes: five GETs and five HEADs, then the link still redeems', async () => {
      const { app, auth } = host()
      const { code } = await issueLink(app)
      for (let i = 0; i < 5; i++) {
        expect((await new TestBrowser(app).get(link(code))).status).to.equal(200)
        const head = await new TestBrowser(app).head(link(code))
        expect(head.status).to.equal(200)
        expect(head.text ?? '').to.equal('')
      }
      expect((await auth.redeem(code, { kind: 'magic_link' })).subject).to.equal('user-42')
    })

    it('never consumes a bound link opened elsewhere: the browser that asked still signs in', async () => {
      const { app, signedIn } = host()
      const asking = new TestBrowser(app)
      const { code } = await issueLink(app, { code_challenge: await asking.bind(), code_challenge_method: 'S256' })
      for (let i = 0; i < 5; i++) expect((await new TestBrowser(app).get(link(code))).status).to.equal(403)
      const res = await asking.post(LANDING, formFields((await asking.get(link(code))).text))
      expect(res.status).to.equal(200)
      expect(signedIn.map((grant) => grant.subject)).to.deep.equal(['user-42'])
    })

    it('sends no-store, no-referrer and frame-ancestors on every page, and no CORS headers', async () => {
      const { app, auth } = host()
      app.set('x-powered-by', false)
      const asking = new TestBrowser(app)
      const bound = (await issueLink(app, { code_challenge: await asking.bind(), code_challenge_method: 'S256' })).code
      const live = (await issueLink(app)).code
      const used = (await issueLink(app)).code
      await auth.redeem(used, { kind: 'magic_link' })
      const answers = [
        await new TestBrowser(app).get(link(live)),
        await new TestBrowser(app).get(link(bound)),
        await new TestBrowser(app).get(link(used)),
        await new TestBrowser(app).get(`${LANDING}?code=x`),
        await new TestBrowser(app).post(LANDING, { code: live }),
      ]
      expect(answers.map((res) => res.status)).to.deep.equal([200, 403, 410, 400, 403])
      for (const res of answers) {
        expect(res.headers['cache-control']).to.equal('no-store')
        expect(res.headers['referrer-policy']).to.equal('no-referrer')
        expect(res.headers['content-security-policy']).to.include("frame-ancestors 'none'")
        expect(res.headers['content-security-policy']).to.include("default-src 'none'")
        expect(res.headers['x-frame-options']).to.equal('DENY')
        expect(res.headers).not.to.have.property('access-control-allow-origin')
      }
    })
  })

  describe('POST: the confirm button', () => {
    it('redeems the code and hands the grant to signIn, which answers; a second press shows used', async () => {
      const { app, signedIn } = host()
      const { code } = await issueLink(app, { integration_context: { next: '/cart' } })
      const browser = new TestBrowser(app)
      const fields = formFields((await browser.get(link(code))).text)
      const res = await browser.post(LANDING, fields)
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ signedIn: 'user-42' })
      expect(signedIn).to.have.length(1)
      expect(signedIn[0]).to.include({ kind: 'magic_link', clientId: 'crm' })
      expect(signedIn[0]?.integrationContext).to.deep.equal({ next: '/cart' })
      const again = await browser.post(LANDING, fields)
      expect(again.status).to.equal(410)
      expect(again.text).to.include('This link no longer works')
    })

    it('signs in a bound link in the browser that asked, with its verifier', async () => {
      const { app, signedIn } = host()
      const asking = new TestBrowser(app)
      const { code } = await issueLink(app, { code_challenge: await asking.bind(), code_challenge_method: 'S256' })
      expect((await asking.post(LANDING, formFields((await asking.get(link(code))).text))).status).to.equal(200)
      expect(signedIn).to.have.length(1)
    })

    it('sends no verifier for an unbound link, even from a browser that has one (it would burn the code)', async () => {
      const { app, signedIn } = host()
      const browser = new TestBrowser(app)
      await browser.bind()
      const { code } = await issueLink(app)
      expect((await browser.post(LANDING, formFields((await browser.get(link(code))).text))).status).to.equal(200)
      expect(signedIn).to.have.length(1)
    })

    it('shows other-browser for a bound link posted without its verifier, and consumes nothing', async () => {
      const { app, auth, signedIn } = host()
      const asking = new TestBrowser(app)
      const { code } = await issueLink(app, { code_challenge: await asking.bind(), code_challenge_method: 'S256' })
      for (const elsewhere of [await csrfOnly(app), await boundElsewhere(app)]) {
        const secret = unsealed(elsewhere.cookies.get(CSRF_COOKIE)) as string
        const res = await elsewhere.post(LANDING, { code, csrf_token: csrfToken(landingCookiesOf(auth), secret, code) })
        expect(res.status).to.equal(403)
        expect(res.text).to.include('Open this link where you asked for it')
      }
      expect((await asking.post(LANDING, formFields((await asking.get(link(code))).text))).status).to.equal(200)
      expect(signedIn).to.have.length(1)
    })

    describe('login CSRF: the token holds for one browser and one code', () => {
      /** A live code and the confirm form the attacker's own browser got for it. */
      async function attackersForm() {
        const { app, auth, signedIn } = host()
        const { code } = await issueLink(app, { external_user_id: 'attacker' })
        const attacker = new TestBrowser(app)
        return { app, auth, signedIn, code, fields: formFields((await attacker.get(link(code))).text), attacker }
      }

      const refusedPost = async (res: request.Response) => {
        expect(res.status).to.equal(403)
        expect(res.text).to.include('Open the link again')
      }

      it('refuses a POST from a browser without the CSRF cookie, and spends nothing', async () => {
        const { app, auth, signedIn, code, fields } = await attackersForm()
        await refusedPost(await new TestBrowser(app).post(LANDING, fields))
        expect(signedIn).to.have.length(0)
        expect((await auth.redeem(code, { kind: 'magic_link' })).subject).to.equal('attacker')
      })

      it("refuses the attacker's link and token posted from a victim's browser, which has a CSRF cookie of its own", async () => {
        const { app, auth, signedIn, code, fields } = await attackersForm()
        const victim = await csrfOnly(app)
        await refusedPost(await victim.post(LANDING, fields))
        expect(signedIn).to.have.length(0)
        expect((await auth.redeem(code, { kind: 'magic_link' })).subject).to.equal('attacker')
      })

      it("refuses another code's token, a missing token and a token sent with the CSRF cookie twice", async () => {
        const { app, auth, signedIn, code, attacker } = await attackersForm()
        const other = (await issueLink(app, { external_user_id: 'user-7' })).code
        const otherToken = formFields((await attacker.get(link(other))).text).csrf_token as string
        await refusedPost(await attacker.post(LANDING, { code, csrf_token: otherToken }))
        await refusedPost(await attacker.post(LANDING, { code }))
        const cookie = attacker.cookies.get(CSRF_COOKIE) as string
        const tossed = await request(app)
          .post(LANDING)
          .set('Cookie', `${CSRF_COOKIE}=${cookie}; ${CSRF_COOKIE}=${cookie}`)
          .type('form')
          .send({ code, csrf_token: csrfToken(landingCookiesOf(auth), unsealed(cookie) as string, code) })
        expect(tossed.status).to.equal(403)
        expect(signedIn).to.have.length(0)
        expect((await auth.redeem(code, { kind: 'magic_link' })).subject).to.equal('attacker')
      })

      it('accepts the token with the cookie quoted', async () => {
        const { app, signedIn, fields, attacker } = await attackersForm()
        const quoted = await request(app)
          .post(LANDING)
          .set('Cookie', `other=1; ${CSRF_COOKIE}="${attacker.cookies.get(CSRF_COOKIE)}"`)
          .type('form')
          .send(fields)
        expect(quoted.status).to.equal(200)
        expect(signedIn).to.have.length(1)
      })
    })

    for (const [what, body] of [
      ['no code', 'csrf_token=x'],
      ['a malformed code', 'code=abc&csrf_token=x'],
      ['a repeated code', `code=${'A'.repeat(43)}&code=${'B'.repeat(43)}&csrf_token=x`],
    ] as const) {
      it(`shows error for ${what}`, async () => {
        const res = await new TestBrowser(host().app).post(LANDING, body)
        expect(res.status).to.equal(400)
        expect(res.text).to.include('This magic link is not valid')
      })
    }

    it('answers a body that is not a form with the error page', async () => {
      const res = await request(host().app).post(LANDING).set('Accept', 'text/html').type('json').send({ code: 'x' })
      expect(res.status).to.equal(400)
      expect(res.text).to.include('This magic link is not valid')
      expect(res.headers['cache-control']).to.equal('no-store')
    })

    it('shows the error page with a 500 when signIn fails, and logs no code', async () => {
      const logged: unknown[] = []
      const { app } = host(
        { logger: { error: (fields: object) => void logged.push(fields), warn: () => undefined } },
        {
          signIn: () => {
            throw new Error('the session store is down')
          },
        },
      )
      const { code } = await issueLink(app)
      const browser = new TestBrowser(app)
      const res = await browser.post(LANDING, formFields((await browser.get(link(code))).text))
      expect(res.status).to.equal(500)
      expect(res.text).to.include('Sign-in is briefly unavailable')
      expect(logged).to.have.length(1)
      expect(JSON.stringify(logged)).not.to.include(code)
      expect(JSON.stringify(logged)).to.include(`POST ${LANDING}`)
    })
  })

  describe('renderPage', () => {
    it('brands every page, with the status set and the form only on confirm', async () => {
      const seen: LandingPage[] = []
      const { app, auth } = host({}, { renderPage: jsonPages(seen) })
      const asking = new TestBrowser(app)
      const live = (await issueLink(app)).code
      const bound = (await issueLink(app, { code_challenge: await asking.bind(), code_challenge_method: 'S256' })).code
      const used = (await issueLink(app)).code
      await auth.redeem(used, { kind: 'magic_link' })
      const browser = new TestBrowser(app)
      const answers = [
        await browser.get(link(live)),
        await browser.get(link(bound)),
        await browser.get(link(used)),
        await browser.get(`${LANDING}?code=x`),
        await browser.post(LANDING, { code: live, csrf_token: 'forged' }),
      ]
      expect(answers.map((res) => [res.body.page.name, res.body.status, res.status])).to.deep.equal([
        ['confirm', 200, 200],
        ['other-browser', 403, 403],
        ['used', 410, 410],
        ['error', 400, 400],
        ['error', 403, 403],
      ])
      const confirm = seen[0] as Extract<LandingPage, { name: 'confirm' }>
      expect(confirm.form.action).to.equal(LANDING)
      expect(confirm.form.fields.code).to.equal(live)
      expect(seen.slice(1).every((page) => page.form === undefined)).to.equal(true)
      expect(answers[0]?.headers['cache-control']).to.equal('no-store')
      const signIn = await browser.post(LANDING, confirm.form.fields)
      expect(signIn.body).to.deep.equal({ signedIn: 'user-42' })
    })

    it("keeps the host's CSP, adding frame-ancestors beside it", async () => {
      const app = express()
      const auth = authcode(codesOptions({ store: new MemoryStore(), magicLinkUrl: LANDING_URL }))
      app.use(MOUNT, auth)
      app.use((_req, res, next) => {
        res.setHeader('Content-Security-Policy', "default-src 'self'")
        next()
      })
      app.use(LANDING, auth.magicLinkLanding({ signIn: () => undefined, renderPage: jsonPages() }))
      const res = await new TestBrowser(app).get(link((await issueLink(app)).code))
      expect(res.body.page.name).to.equal('confirm')
      expect(res.headers['content-security-policy']).to.equal("default-src 'self', frame-ancestors 'none'")
    })

    it('renders the error page of a failure with its status', async () => {
      const silent = { error: () => undefined, warn: () => undefined }
      const { app } = host({ logger: silent }, { renderPage: jsonPages(), signIn: () => Promise.reject(new Error('down')) })
      const { code } = await issueLink(app)
      const browser = new TestBrowser(app)
      const confirm = await browser.get(link(code))
      const res = await browser.post(LANDING, confirm.body.page.form.fields)
      expect(res.body).to.deep.equal({ page: { name: 'error' }, status: 500 })
    })
  })

  describe('telemetry', () => {
    let sdk: TestSdk | undefined
    afterEach(async () => {
      await sdk?.shutdown()
      sdk = undefined
    })

    it('spans each request as authcode <METHOD> <landing path>, with its store operations as children, and exports no code', async () => {
      sdk = registerTestSdk()
      const { app } = host()
      const { code } = await issueLink(app)
      const browser = new TestBrowser(app)
      const fields = formFields((await browser.get(link(code))).text)
      expect((await browser.post(LANDING, fields)).status).to.equal(200)
      const spans = sdk.spans()
      const get = spans.find((span) => span.name === `authcode GET ${LANDING}`)
      const post = spans.find((span) => span.name === `authcode POST ${LANDING}`)
      expect(get?.attributes['http.response.status_code']).to.equal(200)
      expect(post?.attributes['http.response.status_code']).to.equal(200)
      const childrenOf = (parent: typeof get) =>
        spans.filter((span) => span.parentSpanContext?.spanId === parent?.spanContext().spanId).map((span) => span.name)
      expect(childrenOf(get)).to.deep.equal(['authcode store peek'])
      expect(childrenOf(post)).to.deep.equal(['authcode store peek', 'authcode store consume'])
      const exported = JSON.stringify(spans.map((span) => [span.name, span.attributes, span.events]))
      for (const secret of [code, fields.csrf_token as string]) expect(exported).not.to.include(secret)
    })
  })

  describe('options', () => {
    it('needs magicLinkUrl, signIn, and no unknown option', () => {
      const { auth } = host()
      const noUrl = authcode(codesOptions({ store: new MemoryStore() }))
      expect(() => noUrl.magicLinkLanding({ signIn: () => undefined })).to.throw(/magicLinkUrl/)
      expect(() => auth.magicLinkLanding({} as never)).to.throw(/"signIn" is required/)
      expect(() => auth.magicLinkLanding({ signIn: () => undefined, renderpage: () => undefined } as never)).to.throw(
        /"renderpage" is not allowed \(did you mean "renderPage"\?\)/,
      )
    })
  })
})

/** A browser that loaded some confirm page, so it has a CSRF cookie and nothing else. */
async function csrfOnly(app: Parameters<typeof issueLink>[0]): Promise<TestBrowser> {
  const browser = new TestBrowser(app)
  await browser.get(link((await issueLink(app, { external_user_id: 'someone-else' })).code))
  expect(browser.cookies.has(CSRF_COOKIE)).to.equal(true)
  return browser
}

/** A browser that asked for a link of its own (so has another verifier) and has a CSRF cookie. */
async function boundElsewhere(app: Parameters<typeof issueLink>[0]): Promise<TestBrowser> {
  const browser = await csrfOnly(app)
  await browser.bind()
  return browser
}
