import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { authcode, AuthcodeOptionsError, MemoryStore, OPTIONS_ERROR_CODES } from '../lib/index.js'
import { readCookie, pathMatches } from '../lib/endpoints/landing/cookies.js'
import { s256 } from '../lib/engine/pkce.js'
import type { AuthcodeOptions } from '../types/index.js'
import { codesOptions } from './helpers/codes.js'
import {
  BINDING_COOKIE,
  formFields,
  HTTP_LANDING_URL,
  issueLink,
  LANDING,
  landingHost,
  TestBrowser,
  unsealed,
  landingLink,
} from './helpers/landing.js'
import { useTestRedis } from './helpers/redis.js'
import { PASSCODE_REFUSED } from '../lib/engine/redeem-passcode.js'

const link = landingLink
const bindingOf = (browser: TestBrowser) => unsealed(browser.cookies.get(BINDING_COOKIE)) as string

describe('auth.bindBrowser() and auth.browserVerifier()', () => {
  const redis = useTestRedis()
  const host = (overrides: Partial<AuthcodeOptions> = {}) =>
    landingHost(codesOptions({ redis: redis.client, keyPrefix: redis.prefix, ...overrides }))

  it('sets a random verifier as an HttpOnly, SameSite=Lax, Secure __Host- cookie and returns its S256 challenge', async () => {
    const browser = new TestBrowser(host().app)
    const challenge = await browser.bind()
    const verifier = bindingOf(browser)
    expect(verifier).to.match(/^[A-Za-z0-9_-]{43,128}$/)
    expect(challenge).to.equal(s256(verifier))
    const cookie = browser.setCookies.find((line) => line.startsWith(`${BINDING_COOKIE}=`)) as string
    expect(cookie).to.match(/; Path=\/(;|$)/)
    expect(cookie).to.include('; Max-Age=3600')
    expect(cookie).to.include('; HttpOnly')
    expect(cookie).to.include('; SameSite=Lax')
    expect(cookie).to.include('; Secure')
    expect(challenge).not.to.equal(await new TestBrowser(host().app).bind())
  })

  it('over http (local development), keeps the plain name and the landing path, Secure only when the request is secure', async () => {
    const { app } = host({ magicLinkUrl: HTTP_LANDING_URL })
    const plain = await request(app).post(`${LANDING}/send`)
    const [cookie] = plain.headers['set-cookie'] as unknown as string[]
    expect(cookie).to.match(/^authcode_binding=[\w-]{43}\.[\w-]{43}; /)
    expect(cookie).to.match(/; Path=\/login\/magic(;|$)/)
    expect(cookie).not.to.include('Secure')
    const proxied = await request(app).post(`${LANDING}/send`).set('X-Forwarded-Proto', 'https')
    expect(proxied.headers['set-cookie']?.[0]).to.include('; Secure')
  })

  it('keeps the verifier a browser has, so two links asked from one browser both sign in', async () => {
    const { app, signedIn } = host()
    const browser = new TestBrowser(app)
    const first = await issueLink(app, { code_challenge: await browser.bind(), code_challenge_method: 'S256' })
    const verifier = bindingOf(browser)
    const second = await issueLink(app, { external_user_id: 'user-7', code_challenge: await browser.bind(), code_challenge_method: 'S256' })
    expect(bindingOf(browser)).to.equal(verifier)
    for (const { code } of [first, second]) {
      expect((await browser.post(LANDING, formFields((await browser.get(link(code))).text))).status).to.equal(200)
    }
    expect(signedIn.map((grant) => grant.subject)).to.deep.equal(['user-42', 'user-7'])
  })

  it('replaces a malformed verifier', async () => {
    const browser = new TestBrowser(host().app)
    browser.cookies.set(BINDING_COOKIE, 'short')
    const challenge = await browser.bind()
    expect(bindingOf(browser)).not.to.equal('short')
    expect(challenge).to.equal(s256(bindingOf(browser)))
  })

  describe('the passcode on the device that asked', () => {
    it('signs in with the passcode and the verifier of the browser that asked, after the link showed other-browser elsewhere', async () => {
      const { app } = host()
      const asking = new TestBrowser(app)
      const { code, otp } = await issueLink(app, { code_challenge: await asking.bind(), code_challenge_method: 'S256', otp: true })
      const phone = new TestBrowser(app)
      expect((await phone.get(link(code))).status).to.equal(403)
      const res = await asking.post(`${LANDING}/code`, { subject: 'user-42', otp: otp as string })
      expect(res.status, res.text).to.equal(200)
      expect(res.body).to.deep.equal({ signedIn: 'user-42' })
      expect((await phone.get(link(code))).status).to.equal(410)
    })

    it('reads no verifier from a browser without the cookie: the bound passcode does not redeem there, and still does where it was asked', async () => {
      const { app } = host()
      const asking = new TestBrowser(app)
      const { otp } = await issueLink(app, { code_challenge: await asking.bind(), code_challenge_method: 'S256', otp: true })
      const res = await new TestBrowser(app).post(`${LANDING}/code`, { subject: 'user-42', otp: otp as string })
      expect(res.status).to.equal(400)
      expect(res.body.error).to.equal(PASSCODE_REFUSED)
      const signedIn = await asking.post(`${LANDING}/code`, { subject: 'user-42', otp: otp as string })
      expect(signedIn.body).to.deep.equal({ signedIn: 'user-42' })
    })

    it('redeems the passcode of an unbound link whether or not the browser has a verifier', async () => {
      const { app } = host()
      const browser = new TestBrowser(app)
      await browser.bind()
      const { otp } = await issueLink(app, { otp: true })
      expect((await browser.post(`${LANDING}/code`, { subject: 'user-42', otp: otp as string })).status).to.equal(200)
    })
  })

  it('warns once when called on a path the cookie does not reach (over http, where the cookie has the landing path)', async () => {
    const warnings: string[] = []
    const app = express()
    const auth = authcode(
      codesOptions({
        store: new MemoryStore(),
        magicLinkUrl: HTTP_LANDING_URL,
        logger: {
          error: () => undefined,
          warn: (fields: object, message?: string) => void ('cookiePath' in fields && warnings.push(message ?? '')),
        },
      }),
    )
    app.post('/magic-link', (req, res) => res.json({ challenge: auth.bindBrowser(req, res) }))
    app.post('/login/magic/send', (req, res) => res.json({ challenge: auth.bindBrowser(req, res) }))
    await request(app).post('/login/magic/send')
    await request(app).post('/login/magic/send?x=1')
    expect(warnings).to.deep.equal([])
    await request(app).post('/magic-link')
    await request(app).post('/magic-link')
    expect(warnings).to.have.length(1)
    expect(warnings[0]).to.include('Path=/login/magic')
    expect(warnings[0]).to.include('/magic-link')
  })

  it('does not warn over https, where the __Host- cookie reaches every path', async () => {
    const warnings: object[] = []
    const app = express()
    const logger = { error: () => undefined, warn: (fields: object) => void warnings.push(fields) }
    const auth = authcode(codesOptions({ store: new MemoryStore(), magicLinkUrl: 'https://shop.example.com/login/magic', logger }))
    app.post('/magic-link', (req, res) => res.json({ challenge: auth.bindBrowser(req, res) }))
    const res = await request(app).post('/magic-link')
    expect(res.headers['set-cookie']?.[0]).to.match(/^__Host-authcode_binding=.*; Path=\/;/)
    expect(warnings.filter((fields) => 'cookiePath' in fields)).to.deep.equal([])
  })

  it('throws AuthcodeOptionsError without magicLinkUrl', () => {
    const auth = authcode(codesOptions({ store: new MemoryStore() }))
    for (const call of [() => auth.bindBrowser({} as never, {} as never), () => auth.browserVerifier({} as never)]) {
      expect(call)
        .to.throw(AuthcodeOptionsError, /magicLinkUrl/)
        .with.property('code', OPTIONS_ERROR_CODES.missing)
    }
  })
})

describe('landing cookies', () => {
  const cookieOf = (header: string | undefined) => readCookie({ headers: { cookie: header } } as never, 'authcode_csrf')

  it('reads a cookie by its exact name, unquoted, and none when it is sent twice', () => {
    expect(cookieOf(undefined)).to.equal(undefined)
    expect(cookieOf('a=1; authcode_csrf=abc; b=2')).to.equal('abc')
    expect(cookieOf('authcode_csrf="abc"')).to.equal('abc')
    expect(cookieOf('x_authcode_csrf=abc; authcode_csrfx=1')).to.equal(undefined)
    expect(cookieOf('authcode_csrf=abc; authcode_csrf=def')).to.equal(undefined)
    expect(cookieOf('authcode_csrf=a=b')).to.equal('a=b')
    expect(cookieOf('junk; authcode_csrf=abc')).to.equal('abc')
  })

  it('says which request paths a cookie path reaches, as browsers do', () => {
    expect(pathMatches('/login/magic', '/login/magic')).to.equal(true)
    expect(pathMatches('/login/magic', '/login/magic/code')).to.equal(true)
    expect(pathMatches('/login/magic', '/login/magic-link')).to.equal(false)
    expect(pathMatches('/login/magic', '/login')).to.equal(false)
    expect(pathMatches('/', '/anything')).to.equal(true)
  })
})
