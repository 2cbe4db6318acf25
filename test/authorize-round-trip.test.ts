import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import request from 'supertest'
import type { AuthcodeOptions, ClientOptions, Grant } from '../types/index.js'
import { MOUNT, VERIFIER, WEB_REDIRECT } from './helpers/app.js'
import { Browser } from './helpers/browser.js'
import { AUTHORIZE, authorizeQuery, authTimeOfSession, hostApp, locationParams } from './helpers/host-app.js'

const COOKIE = 'authcode_authorize'
const SESSION = 'connect.sid'
const web: ClientOptions = { id: 'web', redirectUris: [WEB_REDIRECT], scopes: ['openid', 'profile'] }
const shop: ClientOptions = { id: 'shop', consent: 'remember', redirectUris: ['https://shop.example.com/cb'], scopes: ['openid'] }
const shopQuery = (overrides: Record<string, string | undefined> = {}) =>
  authorizeQuery({ client_id: 'shop', redirect_uri: 'https://shop.example.com/cb', ...overrides })

/** A host app whose login page regenerates the session and whose `getAuthTime` reads when the user signed in. */
function roundTripApp(overrides: Partial<AuthcodeOptions> = {}) {
  const grants: Grant[] = []
  const built = hostApp({
    clients: [web, shop],
    consentUrl: '/consent',
    getAuthTime: authTimeOfSession,
    issueTokens: (grant) => {
      grants.push(grant)
      return { access_token: `at-for-${grant.subject}`, token_type: 'Bearer' }
    },
    ...overrides,
  })
  return { ...built, grants }
}

/** A browser whose user signed in `ago` seconds ago. */
async function signedInBrowser(app: Browser['app'], ago = 0): Promise<Browser> {
  const browser = new Browser(app)
  await browser.post('/login', { user: 'user-42', ago: String(ago) })
  return browser
}

/** Signs in on the login page the router sent the browser to, and follows the page back to `return_to`. */
async function signInAgain(browser: Browser, loginLocation: string, ago = 0) {
  const back = await browser.post('/login', {
    user: 'user-42',
    ago: String(ago),
    return_to: locationParams(loginLocation).get('return_to') as string,
  })
  return browser.follow(back)
}

/** Exchanges a code of the `web` client at /token. */
const exchange = (app: Browser['app'], code: string) =>
  request(app)
    .post(`${MOUNT}/token`)
    .type('form')
    .send({ grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, client_id: 'web', code_verifier: VERIFIER })

const isLoginPage = (res: request.Response) => (res.headers.location as string | undefined)?.startsWith('/login?') === true
const codeOf = (res: request.Response) => locationParams(res.headers.location).get('code')

/** The round-trip cookie's marks and MAC. */
function cookieParts(browser: Browser): { login: string; consent: string; mac: string } {
  const [login = '', consent = '', mac = ''] = (browser.cookies.get(COOKIE)?.value ?? '').split('.')
  return { login, consent, mac }
}

describe('GET /authorize round trips to the login and consent pages', () => {
  it('sends the browser to loginUrl with return_to exactly the request’s path and query, adding nothing', async () => {
    const { app } = roundTripApp()
    const path = `${AUTHORIZE}?${authorizeQuery({ prompt: 'login' })}`
    const anonymous = await new Browser(app).get(path)
    expect(locationParams(anonymous.headers.location).get('return_to')).to.equal(path)
    const stale = await (await signedInBrowser(app, 7200)).get(path)
    expect(isLoginPage(stale)).to.equal(true)
    expect(locationParams(stale.headers.location).get('return_to')).to.equal(path)
  })

  for (const [what, query, page] of [
    ['prompt=login', { prompt: 'login' }, '/login?'],
    ['max_age=60', { max_age: '60' }, '/login?'],
  ] as const) {
    it(`does nothing with an authcode_asked_at parameter: a two-hour-old sign-in with ${what} is sent to sign in`, async () => {
      const { app } = roundTripApp()
      const browser = await signedInBrowser(app, 7200)
      const res = await browser.get(`${AUTHORIZE}?${authorizeQuery(query)}&authcode_asked_at=1`)
      expect(res.headers.location?.startsWith(page), res.headers.location).to.equal(true)
      expect(codeOf(res)).to.equal(null)
    })
  }

  it('does nothing with an authcode_asked_at parameter: prompt=consent asks again though the user approved the client before', async () => {
    const { app } = roundTripApp()
    const browser = await signedInBrowser(app)
    const asked = await browser.get(`${AUTHORIZE}?${shopQuery()}`)
    await browser.post('/consent', {
      decision: 'grant',
      client_id: 'shop',
      scope: 'openid',
      return_to: locationParams(asked.headers.location).get('return_to') as string,
    })
    expect(codeOf(await browser.get(`${AUTHORIZE}?${shopQuery()}`))).to.have.length(43)
    const res = await browser.get(`${AUTHORIZE}?${shopQuery({ prompt: 'consent' })}&authcode_asked_at=1`)
    expect(res.headers.location?.startsWith('/consent?'), res.headers.location).to.equal(true)
  })

  it('answers prompt=login with a sign-in after the router sent the browser away, across req.session.regenerate()', async () => {
    const { app } = roundTripApp()
    const browser = await signedInBrowser(app, 7200)
    const sessionBefore = browser.cookies.get(SESSION)?.value
    const toLogin = await browser.get(`${AUTHORIZE}?${authorizeQuery({ prompt: 'login' })}`)
    expect(isLoginPage(toLogin)).to.equal(true)
    const back = await signInAgain(browser, toLogin.headers.location as string)
    expect(browser.cookies.get(SESSION)?.value, 'the login page regenerated the session').not.to.equal(sessionBefore)
    expect(codeOf(back)).to.have.length(43)
  })

  it('answers max_age only with a sign-in after the router sent the browser away', async () => {
    const { app } = roundTripApp()
    const browser = await signedInBrowser(app, 120)
    const path = `${AUTHORIZE}?${authorizeQuery({ max_age: '60' })}`
    const toLogin = await browser.get(path)
    expect(isLoginPage(toLogin)).to.equal(true)
    // The login page is passed without signing in afresh (the sign-in it reports is the old one).
    expect(isLoginPage(await signInAgain(browser, toLogin.headers.location as string, 120))).to.equal(true)
    expect(codeOf(await signInAgain(browser, toLogin.headers.location as string))).to.have.length(43)
  })

  it('ignores a round-trip cookie whose mark was edited, and asks again', async () => {
    const { app } = roundTripApp()
    const browser = await signedInBrowser(app, 300)
    const path = `${AUTHORIZE}?${authorizeQuery({ prompt: 'login' })}`
    expect(isLoginPage(await browser.get(path))).to.equal(true)
    const { consent, mac } = cookieParts(browser)
    const cookie = browser.cookies.get(COOKIE)
    if (!cookie) throw new Error('no round-trip cookie')
    // Moved back before the five-minute-old sign-in, the MAC kept.
    cookie.value = `${(Date.now() - 400_000).toString(36)}.${consent}.${mac}`
    const res = await browser.get(path)
    expect(isLoginPage(res), 'an edited mark answered prompt=login').to.equal(true)
  })

  it('ignores a forged round-trip cookie, and asks again', async () => {
    const { app } = roundTripApp()
    const browser = await signedInBrowser(app, 300)
    browser.cookies.set(COOKIE, {
      value: `${(Date.now() - 400_000).toString(36)}..${randomBytes(32).toString('base64url')}`,
      path: `${MOUNT}/authorize`,
      attributes: [],
    })
    const res = await browser.get(`${AUTHORIZE}?${authorizeQuery({ prompt: 'login' })}`)
    expect(isLoginPage(res), 'a forged mark answered prompt=login').to.equal(true)
  })

  it('ignores the round-trip cookie of another request, and asks again', async () => {
    const { app } = roundTripApp()
    const browser = await signedInBrowser(app, 7200)
    const toLogin = await browser.get(`${AUTHORIZE}?${authorizeQuery({ prompt: 'login', state: 'first' })}`)
    await browser.post('/login', { user: 'user-42', return_to: locationParams(toLogin.headers.location).get('return_to') as string })
    // Not followed back: another request asks for a fresh sign-in with the first one's cookie.
    const other = await browser.get(`${AUTHORIZE}?${authorizeQuery({ prompt: 'login', state: 'second' })}`)
    expect(isLoginPage(other), 'another request’s mark answered prompt=login').to.equal(true)
  })

  it('counts a mark for ten minutes only', async () => {
    const { app } = roundTripApp()
    const browser = await signedInBrowser(app, 900)
    const path = `${AUTHORIZE}?${authorizeQuery({ prompt: 'login' })}`
    const now = Date.now
    Date.now = () => now() - 11 * 60_000
    try {
      expect(isLoginPage(await browser.get(path))).to.equal(true)
    } finally {
      Date.now = now
    }
    // A sign-in ten and a half minutes ago came after that mark, but the mark is too old to count.
    await browser.post('/login', { user: 'user-42', ago: '630' })
    expect(isLoginPage(await browser.get(path)), 'an eleven-minute-old mark answered prompt=login').to.equal(true)
  })

  it('ends the round trip with the code: the same request with prompt=login asks again afterwards', async () => {
    const { app } = roundTripApp()
    const browser = await signedInBrowser(app, 7200)
    const path = `${AUTHORIZE}?${authorizeQuery({ prompt: 'login' })}`
    expect(codeOf(await signInAgain(browser, (await browser.get(path)).headers.location as string))).to.have.length(43)
    expect(browser.cookies.has(COOKIE)).to.equal(false)
    expect(isLoginPage(await browser.get(path))).to.equal(true)
  })

  it('sets the round-trip cookie HttpOnly and SameSite=Lax, for ten minutes, on the /authorize path only', async () => {
    const { app } = roundTripApp()
    const res = await request(app).get(`${AUTHORIZE}?${authorizeQuery()}`).expect(303)
    const line = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${COOKIE}=`)) as string
    const attributes = line.split(';').map((a) => a.trim().toLowerCase())
    expect(attributes).to.include.members(['httponly', 'samesite=lax', 'max-age=600', `path=${MOUNT}/authorize`])
    expect(attributes).not.to.include('secure')
  })

  it('makes the round-trip cookie Secure and __Secure- when the issuer is https', async () => {
    const { app } = roundTripApp({ issuer: `https://id.example.com${MOUNT}` })
    const res = await request(app).get(`${AUTHORIZE}?${authorizeQuery()}`).expect(303)
    const line = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`__Secure-${COOKIE}=`))
    expect(
      line
        ?.toLowerCase()
        .split(';')
        .map((a) => a.trim()),
    ).to.include.members(['secure', 'httponly', 'samesite=lax'])
  })
})

describe('GET /authorize grant.authTime', () => {
  it('hands issueTokens when the user signed in, as getAuthTime reported it at /authorize', async () => {
    const { app, grants } = roundTripApp()
    const browser = await signedInBrowser(app, 30)
    const signedInAt = Math.floor(Date.now() / 1000) - 30
    const code = codeOf(await browser.get(`${AUTHORIZE}?${authorizeQuery()}`)) as string
    await exchange(app, code).expect(200)
    expect(grants).to.have.length(1)
    expect(grants[0]?.authTime).to.be.within(signedInAt - 1, signedInAt + 1)
  })

  it('takes a sign-in time in the future (milliseconds given for seconds) as unknown: prompt=login and max_age still ask, and no authTime', async () => {
    const { app, grants } = roundTripApp({ getAuthTime: () => Date.now() })
    const browser = await signedInBrowser(app)
    for (const query of [{ prompt: 'login' }, { max_age: '60' }]) {
      expect(isLoginPage(await browser.get(`${AUTHORIZE}?${authorizeQuery(query)}`)), JSON.stringify(query)).to.equal(true)
    }
    const code = codeOf(await browser.get(`${AUTHORIZE}?${authorizeQuery()}`)) as string
    await exchange(app, code).expect(200)
    expect(grants[0]).not.to.have.property('authTime')
  })

  it('leaves authTime out without getAuthTime', async () => {
    const { app, grants } = roundTripApp({ getAuthTime: undefined })
    const browser = await signedInBrowser(app)
    const code = codeOf(await browser.get(`${AUTHORIZE}?${authorizeQuery()}`)) as string
    await exchange(app, code).expect(200)
    expect(grants[0]).to.include({ subject: 'user-42', clientId: 'web' })
    expect(grants[0]).not.to.have.property('authTime')
  })
})
