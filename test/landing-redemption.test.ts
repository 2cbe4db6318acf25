import { expect } from 'chai'
import { InvalidGrantError, RedisStore, type AuthcodeRouter } from '../lib/index.js'
import { kContext } from '../lib/authcode.js'
import type { AuthcodeContext } from '../lib/options/context.js'
import type { AuthcodeOptions, CodeStore } from '../types/index.js'
import { codesOptions } from './helpers/codes.js'
import { csrfToken } from '../lib/endpoints/landing/csrf.js'
import {
  BINDING_COOKIE,
  CSRF_COOKIE,
  formFields,
  issueLink,
  LANDING,
  landingCookiesOf,
  landingHost,
  TestBrowser,
  unsealed,
  landingLink,
} from './helpers/landing.js'
import { useTestRedis } from './helpers/redis.js'

const link = landingLink

/** A store that lists the methods called on it, by name. */
function countingStore(store: CodeStore): { store: CodeStore; calls: string[] } {
  const calls: string[] = []
  const counted = new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.push(String(key))
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { store: counted, calls }
}

/** Counts the code records the router opens (each derives the record key of its code first). */
function countOpenings(auth: AuthcodeRouter): { readonly count: number } {
  const { atRest } = ((auth as unknown as Record<symbol, AuthcodeContext>)[kContext] as AuthcodeContext).engine
  const recordKey = atRest.recordKey.bind(atRest)
  const counter = { count: 0 }
  atRest.recordKey = (code: string) => {
    counter.count++
    return recordKey(code)
  }
  return counter
}

describe('the landing POST and auth.redeem()', () => {
  const redis = useTestRedis()
  const host = (overrides: Partial<AuthcodeOptions> = {}) =>
    landingHost(codesOptions({ redis: redis.client, keyPrefix: redis.prefix, ...overrides }))

  describe('agree on the browser-binding rule', () => {
    /** The browsers a link may be opened in: one without a verifier, the one that asked, one that asked for a link of its own. */
    const BROWSERS = ['a browser without a verifier', 'the browser that asked', 'another bound browser'] as const
    type BrowserName = (typeof BROWSERS)[number]

    async function setUp(bound: boolean, opener: BrowserName) {
      const { app, auth, signedIn } = host()
      const asking = new TestBrowser(app)
      const challenge = await asking.bind()
      const browser = opener === 'the browser that asked' ? asking : new TestBrowser(app)
      if (opener === 'another bound browser') await browser.bind()
      const binding = bound ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}
      // Two codes of the same grant and binding: the landing POST spends one, auth.redeem() the other.
      const [forLanding, forRedeem] = [(await issueLink(app, binding)).code, (await issueLink(app, binding)).code]
      const verifier = unsealed(browser.cookies.get(BINDING_COOKIE))
      return { app, auth, signedIn, browser, asking, forLanding, forRedeem, verifier }
    }

    for (const bound of [true, false]) {
      for (const opener of BROWSERS) {
        const code = bound ? 'a bound code' : 'an unbound code'
        it(`decide alike on ${code} opened in ${opener}`, async () => {
          const { auth, signedIn, browser, asking, forLanding, forRedeem, verifier } = await setUp(bound, opener)
          // The confirm form's token, or (where the GET showed other-browser) a token forged from the browser's own CSRF secret.
          const shown = formFields((await browser.get(link(forLanding))).text).csrf_token
          const landing = await browser.post(LANDING, { code: forLanding, csrf_token: shown ?? (await tokenOf(auth, browser, forLanding)) })
          const landingRedeemed = landing.status === 200 && signedIn.length === 1
          if (!landingRedeemed) expect(landing.text).to.include('Open this link where you asked for it')

          // auth.redeem() with the verifier the browser has, for a bound code; an unbound code takes none.
          const presented = bound && verifier !== undefined ? { codeVerifier: verifier } : {}
          const redeemed = await auth.redeem(forRedeem, { kind: 'magic_link', ...presented }).then(
            () => true,
            (err: unknown) => {
              expect(err).to.be.instanceOf(InvalidGrantError)
              return false
            },
          )
          expect(landingRedeemed, 'landing POST and auth.redeem() agree').to.equal(redeemed)
          expect(redeemed, 'only the browser that asked redeems a bound code').to.equal(!bound || opener === 'the browser that asked')
          if (!landingRedeemed) {
            // The landing refused before consuming: the asking browser still signs in with the link.
            const retry = await asking.post(LANDING, formFields((await asking.get(link(forLanding))).text))
            expect(retry.status).to.equal(200)
          }
        })
      }
    }

    it('refuses, in auth.redeem(), the verifier the landing leaves out for an unbound code', async () => {
      const { auth, forRedeem, verifier } = await setUp(false, 'the browser that asked')
      const refused = await auth.redeem(forRedeem, { kind: 'magic_link', codeVerifier: verifier as string }).catch((err: unknown) => err)
      expect(refused).to.be.instanceOf(InvalidGrantError)
      expect((refused as InvalidGrantError).description).to.equal('code_verifier was sent for a code issued without a code_challenge.')
    })
  })

  describe('store calls and records opened by a landing POST', () => {
    it('reads the code once (peek), consumes it once, and opens its record once', async () => {
      const { store, calls } = countingStore(new RedisStore({ client: redis.client, prefix: redis.prefix }))
      const { app, auth, signedIn } = host({ redis: undefined, store })
      const { code } = await issueLink(app)
      const browser = new TestBrowser(app)
      const fields = formFields((await browser.get(link(code))).text)
      calls.length = 0
      const opened = countOpenings(auth)
      expect((await browser.post(LANDING, fields)).status).to.equal(200)
      expect(signedIn).to.have.length(1)
      expect(calls).to.deep.equal(['peek', 'consume'])
      expect(opened.count).to.equal(1)
    })

    it('consumes nothing, and opens the record once, for a bound code posted without its verifier', async () => {
      const { store, calls } = countingStore(new RedisStore({ client: redis.client, prefix: redis.prefix }))
      const { app, auth } = host({ redis: undefined, store })
      const asking = new TestBrowser(app)
      const { code } = await issueLink(app, { code_challenge: await asking.bind(), code_challenge_method: 'S256' })
      const elsewhere = new TestBrowser(app)
      const token = await tokenOf(auth, elsewhere, code)
      calls.length = 0
      const opened = countOpenings(auth)
      expect((await elsewhere.post(LANDING, { code, csrf_token: token })).status).to.equal(403)
      expect(calls).to.deep.equal(['peek'])
      expect(opened.count).to.equal(1)
    })
  })
})

/**
 * The CSRF token of `code` for `browser`'s own CSRF secret, as a confirm form would carry it: a
 * browser that is shown other-browser gets no form, but a POST with a valid token must still be
 * refused by the binding, not by CSRF. A browser without a CSRF cookie loads another link first.
 */
async function tokenOf(auth: AuthcodeRouter, browser: TestBrowser, code: string): Promise<string> {
  if (!browser.cookies.has(CSRF_COOKIE)) await browser.get(link((await issueLink(browser.app, { external_user_id: 'someone-else' })).code))
  return csrfToken(landingCookiesOf(auth), unsealed(browser.cookies.get(CSRF_COOKIE)) as string, code)
}
