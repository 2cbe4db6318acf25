import { expect } from 'chai'
import type request from 'supertest'
import { AuthcodeOptionsError, MemoryStore, OPTIONS_ERROR_CODES } from '../lib/index.js'
import type { ClientOptions } from '../types/index.js'
import { baseOptions, buildApp } from './helpers/app.js'
import { Browser } from './helpers/browser.js'
import { sleep } from './helpers/clock.js'
import { AUTHORIZE, authorizeQuery, authTimeOfSession, hostApp, locationParams } from './helpers/host-app.js'

const cli: ClientOptions = {
  id: 'cli',
  name: 'Acme CLI',
  applicationType: 'native',
  redirectUris: ['http://127.0.0.1/callback', 'http://localhost/callback', 'com.acme.cli:/oauth'],
  scopes: ['openid', 'profile'],
}
const shop: ClientOptions = {
  id: 'shop',
  name: 'Shop',
  uri: 'https://shop.example.com/',
  logoUri: 'https://shop.example.com/logo.png',
  consent: 'remember',
  redirectUris: ['https://shop.example.com/cb', 'https://shop.example.com:8443/cb'],
  scopes: ['openid', 'profile'],
}
/** An authorization request of the native client, from a loopback listener on `port`. */
const cliPath = (overrides: Record<string, string | undefined> = {}, port = 49152) =>
  `${AUTHORIZE}?${authorizeQuery({ client_id: 'cli', redirect_uri: `http://127.0.0.1:${port}/callback`, ...overrides })}`
const shopPath = (overrides: Record<string, string | undefined> = {}) =>
  `${AUTHORIZE}?${authorizeQuery({ client_id: 'shop', redirect_uri: 'https://shop.example.com/cb', ...overrides })}`

function consentApp() {
  return hostApp({ clients: [cli, shop], consentUrl: '/consent', getAuthTime: authTimeOfSession })
}

async function signedInBrowser(app: Browser['app']): Promise<Browser> {
  const browser = new Browser(app)
  await browser.post('/login', { user: 'user-42' })
  return browser
}

/** The host's consent page answering for the request `returnTo` (the user approves or refuses what the page showed). */
const decide = (browser: Browser, returnTo: string, decision: 'grant' | 'deny' = 'grant', scope = 'openid') =>
  browser.post('/consent', {
    decision,
    client_id: locationParams(`x?${returnTo.split('?')[1]}`).get('client_id') as string,
    scope,
    return_to: returnTo,
  })

const toConsent = (res: request.Response) => (res.headers.location as string | undefined)?.startsWith('/consent?') === true
const codeOf = (res: request.Response) => locationParams(res.headers.location).get('code')

describe('GET /authorize consent of native clients (RFC 8252 §8.6)', () => {
  it('asks on every authorization request: an approval answers only the request it was given for', async () => {
    const { app } = consentApp()
    const browser = await signedInBrowser(app)
    const first = cliPath({ state: 'one' })
    expect(toConsent(await browser.get(first))).to.equal(true)
    expect(codeOf(await browser.follow(await decide(browser, first)))).to.have.length(43)
    // Another local program claims the loopback redirect on another port: it is asked about, not served silently.
    const other = await browser.get(cliPath({ state: 'two' }, 50000))
    expect(toConsent(other), 'a second request of the native client got a code without asking').to.equal(true)
    expect(toConsent(await browser.get(first)), 'the first request, sent again, got a second code').to.equal(true)
  })

  it('does not let an approval for one request answer another one sent to the consent page at the same time', async () => {
    const { app } = consentApp()
    const browser = await signedInBrowser(app)
    const mine = cliPath({ state: 'mine' })
    const intruder = cliPath({ state: 'intruder' }, 50000)
    expect(toConsent(await browser.get(mine))).to.equal(true)
    expect(toConsent(await browser.get(intruder))).to.equal(true)
    // The user approves the request the page showed them; the intruder's comes back first.
    await decide(browser, mine)
    const res = await browser.get(intruder)
    expect(toConsent(res), 'an approval for another request answered this one').to.equal(true)
    expect(codeOf(res)).to.equal(null)
  })

  it('does not count an approval given before the router sent this request to the consent page', async () => {
    const { app } = consentApp()
    const browser = await signedInBrowser(app)
    const path = cliPath()
    // Approved ahead of time (a consent page reached without /authorize), then sent there by the router.
    await decide(browser, path)
    await sleep(5)
    expect(toConsent(await browser.get(path))).to.equal(true)
    const res = await browser.get(path)
    expect(toConsent(res), 'an approval older than the trip to the consent page answered it').to.equal(true)
  })

  it('uses an approval up with the code: replaying the round-trip cookie gets no second code', async () => {
    const { app } = consentApp()
    const browser = await signedInBrowser(app)
    const path = cliPath()
    expect(toConsent(await browser.get(path))).to.equal(true)
    await decide(browser, path)
    const roundTrip = { ...(browser.cookies.get('authcode_authorize') as NonNullable<ReturnType<typeof browser.cookies.get>>) }
    expect(codeOf(await browser.get(path))).to.have.length(43)
    browser.cookies.set('authcode_authorize', roundTrip)
    const replay = await browser.get(path)
    expect(toConsent(replay), 'one approval gave two codes').to.equal(true)
  })

  it('sends error=consent_required with prompt=none, even right after an approval', async () => {
    const { app } = consentApp()
    const browser = await signedInBrowser(app)
    const path = cliPath()
    await browser.get(path)
    expect(codeOf(await browser.follow(await decide(browser, path)))).to.have.length(43)
    const silent = await browser.get(cliPath({ prompt: 'none' }))
    expect(locationParams(silent.headers.location).get('error')).to.equal('consent_required')
  })

  it('refuses consent: remember for a native client at authcode(), naming the client and the fix', () => {
    expect(() =>
      buildApp(
        baseOptions({ store: new MemoryStore(), loginUrl: '/login', consentUrl: '/consent', clients: [{ ...cli, consent: 'remember' }] }),
      ),
    )
      .to.throw(AuthcodeOptionsError, /client "cli" is native, so consent: 'remember' cannot apply.*Leave consent out/)
      .with.property('code', OPTIONS_ERROR_CODES.invalid)
  })

  it('treats a web client with a loopback or private-use redirect URI as claimable: asked every time, never remembered', async () => {
    const devtool: ClientOptions = { id: 'devtool', redirectUris: ['http://127.0.0.1:8080/cb'], scopes: ['openid'] }
    const { app } = hostApp({ clients: [devtool], consentUrl: '/consent', getAuthTime: authTimeOfSession })
    const browser = await signedInBrowser(app)
    const path = (state: string) =>
      `${AUTHORIZE}?${authorizeQuery({ client_id: 'devtool', redirect_uri: 'http://127.0.0.1:8080/cb', state })}`
    expect(toConsent(await browser.get(path('one'))), 'a web client on a loopback listener got a code without asking').to.equal(true)
    expect(codeOf(await browser.follow(await decide(browser, path('one'))))).to.have.length(43)
    expect(toConsent(await browser.get(path('two'))), 'the approval was remembered').to.equal(true)
    for (const redirectUris of [['http://127.0.0.1:8080/cb'], ['https://app.example.com/cb', 'com.example.app:/cb']]) {
      expect(() =>
        buildApp(
          baseOptions({
            store: new MemoryStore(),
            loginUrl: '/login',
            consentUrl: '/consent',
            clients: [{ id: 'devtool', redirectUris, consent: 'remember' }],
          }),
        ),
      ).to.throw(AuthcodeOptionsError, /client "devtool" is given a redirect URI that is not https:, so consent: 'remember' cannot apply/)
    }
  })

  it('requires returnTo of grantConsent and denyConsent: a decision must name the request it answers', async () => {
    const { auth } = consentApp()
    const req = { session: { userId: 'u' } } as never
    for (const decide of [auth.grantConsent, auth.denyConsent]) {
      await decide(req, { clientId: 'cli', scope: 'openid' } as never).then(
        () => expect.fail('resolved'),
        (err: unknown) => expect((err as Error).message).to.match(/returnTo is required/),
      )
    }
  })
})

describe('GET /authorize consent: remember', () => {
  it('keeps a web client’s approval in the session for that client and scope', async () => {
    const { app } = consentApp()
    const browser = await signedInBrowser(app)
    const path = shopPath()
    expect(toConsent(await browser.get(path))).to.equal(true)
    await decide(browser, path)
    expect(codeOf(await browser.get(shopPath({ state: 'later' })))).to.have.length(43)
    expect(toConsent(await browser.get(shopPath({ scope: 'openid profile' }))), 'more scope than approved').to.equal(true)
  })

  it('asks again with prompt=consent, answered only by a decision after the router sent the browser there', async () => {
    const { app } = consentApp()
    const browser = await signedInBrowser(app)
    await browser.get(shopPath())
    await decide(browser, shopPath())
    const path = shopPath({ prompt: 'consent' })
    const asked = await browser.get(path)
    expect(toConsent(asked), 'prompt=consent was answered by the remembered approval').to.equal(true)
    expect(codeOf(await browser.follow(await decide(browser, path)))).to.have.length(43)
  })
})

describe('auth.describeClient()', () => {
  it('resolves what a consent page shows: registered name, home page, logo and the hosts codes go to', async () => {
    const { auth } = consentApp()
    expect(await auth.describeClient('shop')).to.deep.equal({
      id: 'shop',
      name: 'Shop',
      uri: 'https://shop.example.com/',
      logoUri: 'https://shop.example.com/logo.png',
      redirectHosts: ['shop.example.com', 'shop.example.com:8443'],
      metadataDocument: false,
    })
    expect(await auth.describeClient('cli')).to.deep.equal({
      id: 'cli',
      name: 'Acme CLI',
      redirectHosts: ['127.0.0.1', 'localhost', 'com.acme.cli:'],
      metadataDocument: false,
    })
  })

  it('resolves null for a client that is not registered', async () => {
    const { auth } = consentApp()
    expect(await auth.describeClient('nobody')).to.equal(null)
  })

  it('refuses a client name, uri or logoUri that is not what the option takes', () => {
    for (const bad of [{ name: '' }, { uri: 'javascript:alert(1)' }, { logoUri: 'not a url' }]) {
      expect(() => buildApp(baseOptions({ store: new MemoryStore(), clients: [{ id: 'web', ...bad }] })))
        .to.throw(AuthcodeOptionsError)
        .with.property('code', OPTIONS_ERROR_CODES.invalid)
    }
  })
})
