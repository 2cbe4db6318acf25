import { createHmac, randomBytes } from 'node:crypto'
import { expect } from 'chai'
import type request from 'supertest'
import { csrfToken } from '../lib/endpoints/landing/csrf.js'
import { s256 } from '../lib/engine/pkce.js'
import type { AuthcodeOptions } from '../types/index.js'
import { codesOptions } from './helpers/codes.js'
import {
  formFields,
  HTTP_LANDING_URL,
  issueLink,
  LANDING,
  LANDING_URL,
  landingCookiesOf,
  landingHost,
  TestBrowser,
  unsealed,
  landingLink,
} from './helpers/landing.js'
import { useTestRedis } from './helpers/redis.js'

const link = landingLink
const random43 = () => randomBytes(32).toString('base64url')

/** What a sibling subdomain can plant: a well-formed value with no MAC, or with one it made up. */
const planted = (value: string) => [value, `${value}.${random43()}`]

const refused = (res: request.Response) => {
  expect(res.status, res.text).to.equal(403)
  expect(res.text).to.include('Open the link again')
}

describe('the landing page against cookie tossing and cross-site posts (SPEC §3.5b)', () => {
  const redis = useTestRedis()
  const host = (overrides: Partial<AuthcodeOptions> = {}) =>
    landingHost(codesOptions({ redis: redis.client, keyPrefix: redis.prefix, ...overrides }))

  for (const [scheme, url, prefix] of [
    ['https', LANDING_URL, '__Host-'],
    ['http', HTTP_LANDING_URL, ''],
  ] as const) {
    describe(`cookies MACed under a server key (${scheme} magicLinkUrl)`, () => {
      const csrfName = `${prefix}authcode_csrf`
      const bindingName = `${prefix}authcode_binding`

      it('refuses a token made the old way (an HMAC under the cookie alone), even with a CSRF cookie the server set', async () => {
        const { app, auth, signedIn } = host({ magicLinkUrl: url })
        const { code } = await issueLink(app, { external_user_id: 'attacker' })
        const browser = new TestBrowser(app)
        await browser.get(link(code))
        const secret = unsealed(browser.cookies.get(csrfName)) as string
        refused(await browser.post(LANDING, { code, csrf_token: createHmac('sha256', secret).update(code).digest('base64url') }))
        expect(signedIn).to.have.length(0)
        expect((await auth.redeem(code, { kind: 'magic_link' })).subject).to.equal('attacker')
      })

      it('replaces a planted CSRF cookie, and refuses its tokens, old-style or handed out for it', async () => {
        const { app, auth, signedIn } = host({ magicLinkUrl: url })
        const { code } = await issueLink(app, { external_user_id: 'attacker' })
        const secret = random43()
        for (const cookie of planted(secret)) {
          // The attacker's own browser, with the cookie it will plant, loads its own link.
          const attacker = new TestBrowser(app)
          attacker.cookies.set(csrfName, cookie)
          const { csrf_token: token } = formFields((await attacker.get(link(code))).text)
          expect(unsealed(attacker.cookies.get(csrfName))).not.to.equal(secret)
          // The victim's browser, where a sibling planted that cookie, posts the attacker's form.
          for (const csrf_token of [token as string, createHmac('sha256', secret).update(code).digest('base64url')]) {
            const victim = new TestBrowser(app)
            victim.cookies.set(csrfName, cookie)
            refused(await victim.post(LANDING, { code, csrf_token }))
          }
        }
        expect(signedIn).to.have.length(0)
        expect((await auth.redeem(code, { kind: 'magic_link' })).subject).to.equal('attacker')
      })

      it('replaces a planted binding cookie in bindBrowser, and browserVerifier() does not return it', async () => {
        const { app } = host({ magicLinkUrl: url })
        const verifier = random43()
        for (const cookie of planted(verifier)) {
          const victim = new TestBrowser(app)
          victim.cookies.set(bindingName, cookie)
          expect((await victim.get(`${LANDING}/verifier`)).body).to.deep.equal({ verifier: null })
          const challenge = await victim.bind()
          expect(challenge).not.to.equal(s256(verifier))
          const adopted = unsealed(victim.cookies.get(bindingName)) as string
          expect(adopted).not.to.equal(verifier)
          expect(challenge).to.equal(s256(adopted))
          expect((await victim.get(`${LANDING}/verifier`)).body).to.deep.equal({ verifier: adopted })
        }
      })

      it("shows other-browser for the attacker's bound link in a browser where its verifier was planted, and spends nothing", async () => {
        const { app, auth, signedIn } = host({ magicLinkUrl: url })
        const verifier = random43()
        const { code } = await issueLink(app, {
          external_user_id: 'attacker',
          code_challenge: s256(verifier),
          code_challenge_method: 'S256',
        })
        for (const cookie of planted(verifier)) {
          const victim = new TestBrowser(app)
          victim.cookies.set(bindingName, cookie)
          const page = await victim.get(link(code))
          expect(page.status).to.equal(403)
          expect(page.text).to.include('Open this link where you asked for it')
          await victim.get(link((await issueLink(app)).code))
          const secret = unsealed(victim.cookies.get(csrfName)) as string
          const res = await victim.post(LANDING, { code, csrf_token: csrfToken(landingCookiesOf(auth, url), secret, code) })
          expect(res.status).to.equal(403)
          expect(res.text).to.include('Open this link where you asked for it')
        }
        expect(signedIn).to.have.length(0)
        const grant = await auth.redeem(code, { kind: 'magic_link', codeVerifier: verifier })
        expect(grant.subject).to.equal('attacker')
      })
    })
  }

  describe('POST from another site or origin', () => {
    /** A live link and the confirm form this browser got for it. */
    async function confirmForm() {
      const { app, auth, signedIn } = host()
      const { code } = await issueLink(app)
      const browser = new TestBrowser(app)
      return { auth, signedIn, code, browser, fields: formFields((await browser.get(link(code))).text) }
    }

    for (const site of ['cross-site', 'same-site']) {
      it(`refuses a POST with Sec-Fetch-Site: ${site} (the error page, 403), and the code still redeems after it`, async () => {
        const { signedIn, browser, fields } = await confirmForm()
        refused(await browser.post(LANDING, fields, { 'Sec-Fetch-Site': site }))
        expect(signedIn).to.have.length(0)
        expect((await browser.post(LANDING, fields, { 'Sec-Fetch-Site': 'same-origin' })).status).to.equal(200)
        expect(signedIn).to.have.length(1)
      })
    }

    for (const origin of ['https://evil.example', 'https://other.shop.example.com', 'http://shop.example.com', 'null']) {
      it(`refuses a POST with Origin: ${origin}, and the code still redeems after it`, async () => {
        const { auth, signedIn, code, browser, fields } = await confirmForm()
        refused(await browser.post(LANDING, fields, { Origin: origin }))
        refused(await browser.post(LANDING, fields, { Origin: origin, 'Sec-Fetch-Site': 'cross-site' }))
        expect(signedIn).to.have.length(0)
        expect((await auth.redeem(code, { kind: 'magic_link' })).subject).to.equal('user-42')
      })
    }

    const passing: Record<string, string>[] = [
      { 'Sec-Fetch-Site': 'same-origin', Origin: 'https://shop.example.com' },
      // Chromium's form POST from a page with Referrer-Policy: no-referrer, such as the confirm page itself.
      { 'Sec-Fetch-Site': 'same-origin', Origin: 'null' },
      { 'Sec-Fetch-Site': 'none' },
      {},
    ]
    for (const headers of passing) {
      it(`accepts a POST with ${JSON.stringify(headers)}`, async () => {
        const { signedIn, browser, fields } = await confirmForm()
        expect((await browser.post(LANDING, fields, headers)).status).to.equal(200)
        expect(signedIn).to.have.length(1)
      })
    }
  })

  it('takes the origin from an http magicLinkUrl, port included', async () => {
    const { app, signedIn } = host({ magicLinkUrl: HTTP_LANDING_URL })
    const browser = new TestBrowser(app)
    const fields = formFields((await browser.get(link((await issueLink(app)).code))).text)
    refused(await browser.post(LANDING, fields, { Origin: 'http://localhost' }))
    expect((await browser.post(LANDING, fields, { Origin: 'http://localhost:3000' })).status).to.equal(200)
    expect(signedIn).to.have.length(1)
  })

  describe('cookie attributes with an https magicLinkUrl', () => {
    it('names both cookies __Host-, Secure, Path=/ and no Domain, even when req.secure is false (a TLS proxy without trust proxy)', async () => {
      const { app } = host()
      app.get('/secure', (req, res) => res.json({ secure: req.secure }))
      const browser = new TestBrowser(app)
      expect((await browser.get('/secure')).body).to.deep.equal({ secure: false })
      await browser.get(link((await issueLink(app)).code))
      await browser.bind()
      expect(browser.setCookies).to.have.length(2)
      for (const [line, name] of browser.setCookies.map((line, i) => [line, ['csrf', 'binding'][i]])) {
        expect(line).to.match(new RegExp(`^__Host-authcode_${name}=[\\w-]{43}\\.[\\w-]{43}; `))
        expect(line).to.match(/; Path=\/(;|$)/)
        expect(line).to.include('; Secure')
        expect(line).to.include('; HttpOnly')
        expect(line).to.include('; SameSite=Lax')
        expect(line).not.to.match(/Domain=/i)
      }
    })
  })
})
