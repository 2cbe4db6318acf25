import { expect } from 'chai'
import { calculateJwkThumbprint, decodeJwt, type JWK } from 'jose'
import { startExampleApp, type RunningExampleApp } from '../../example-app/start.js'
import { RedisServer } from '../helpers/redis-server.js'
import { connectRedis, keysUnder } from '../helpers/redis.js'
import type { BrowserContext, Page } from 'playwright-core'
import { launchBrowser, screenshot, type TestBrowser } from './browser.js'

/** The texts of the e-mails the dev mailbox holds for `to`, newest first. */
async function mailsTo(baseUrl: string, to: string): Promise<string[]> {
  const page = await (await fetch(`${baseUrl}/mailbox`)).text()
  const unescape = (text: string) =>
    text.replace(
      /&(amp|lt|gt|quot|#39);/g,
      (entity) => ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" })[entity] ?? entity,
    )
  return [...page.matchAll(/<article class="mail">[\s\S]*?<\/article>/g)]
    .map(([article]) => article)
    .filter((article) => article.includes(`<dd>${to}</dd>`))
    .map((article) => unescape(/<pre>([\s\S]*?)<\/pre>/.exec(article)?.[1] ?? ''))
}

/** Collects what a browser context logs as errors (console errors and uncaught exceptions), in all its pages. */
function consoleErrorsOf(context: BrowserContext): string[] {
  const errors: string[] = []
  context.on('console', (message) => {
    const page = message.page()?.url()
    // A page's own status (400 for a refused code, 410 for a spent link) is what it says, not an error of it.
    const ownStatus = message.text().startsWith('Failed to load resource') && message.location().url === page
    if (message.type() === 'error' && !ownStatus) errors.push(`${page ?? '?'}: ${message.text()}`)
  })
  context.on('weberror', (error) => errors.push(`${error.page()?.url() ?? '?'}: ${error.error().message}`))
  return errors
}

/**
 * Asks for a sign-in e-mail to `to` on the magic-link form, and resolves its link, code and
 * passcode once it arrived (it is sent off the request: polled). The page is left on "Check your
 * e-mail", with its passcode form.
 */
async function askForLink(page: Page, baseUrl: string, to: string): Promise<{ link: string; code: string; otp: string }> {
  const before = (await mailsTo(baseUrl, to)).length
  await page.goto(`${baseUrl}/magic-link`)
  await page.fill('#email', to)
  await page.click('form.stack button')
  expect(await page.locator('h1').textContent()).to.equal('Check your e-mail')
  for (let tries = 0; tries < 50; tries++) {
    const mails = await mailsTo(baseUrl, to)
    const text = mails.length > before ? mails[0] : undefined
    if (text !== undefined) {
      const link = /https?:\/\/\S+/.exec(text)?.[0] as string
      return { link, code: new URL(link).searchParams.get('code') as string, otp: /Or type (\d{6})/.exec(text)?.[1] as string }
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`no new e-mail to ${to}`)
}

const stores = [
  { name: 'in-memory stores', redis: false },
  { name: 'Redis', redis: true },
] as const

for (const store of stores) {
  describe(`example app in a real browser, on ${store.name}`, function () {
    let redisServer: RedisServer | undefined
    let redisUrl: string | undefined
    let app: RunningExampleApp
    let browser: TestBrowser
    let consoleErrors: string[]
    const loggedErrors: string[] = []

    before(async function () {
      // A redis-server of its own, so rate-limit counters of earlier runs never carry over.
      if (store.redis) {
        redisServer = await RedisServer.start()
        redisUrl = redisServer.url
      }
      // As npm start runs it: the walk-through reads the dev mailbox and opens the ops, Capture and support pages.
      app = await startExampleApp({ port: 0, host: '127.0.0.1', redisUrl, devRoutes: true })
      browser = await launchBrowser()
      consoleErrors = consoleErrorsOf(browser.context)
    })

    beforeEach(async function () {
      await browser.context.clearCookies()
    })

    afterEach(async function () {
      // Named by the test that logged them, for the last test, which asserts there were none.
      loggedErrors.push(...consoleErrors.splice(0).map((error) => `${this.currentTest?.title}: ${error}`))
      if (this.currentTest?.state === 'failed') {
        const path = await screenshot(browser.page, `${store.name} ${this.currentTest.title}`)
        console.log(`    screenshot: ${path}`)
      }
    })

    after(async function () {
      await browser?.close()
      await app?.stop()
      await redisServer?.stop()
    })

    it('says which stores it uses', function () {
      expect(app.storesDescription).to.match(store.redis ? /^Redis at / : /^in-memory stores/)
    })

    it('explains the product on the home page', async function () {
      const { page } = browser
      await page.goto(`${app.url}/`)
      expect(await page.locator('h1').textContent()).to.equal('Single-use sign-in codes for Express')
      expect(await page.locator('.card h2').allTextContents()).to.deep.equal([
        'Magic link',
        'OAuth 2.0 + PKCE',
        'Native app + consent',
        'Capture call',
      ])
      expect(await page.locator('main').textContent()).to.include(store.redis ? 'Redis at' : 'in-memory stores')
    })

    it('signs a person in with a magic link, which opening the link does not spend', async function () {
      const { page } = browser
      await page.goto(`${app.url}/magic-link`)
      await page.fill('#email', 'ada@example.com')
      await page.click('form.stack button')
      expect(await page.locator('h1').textContent()).to.equal('Check your e-mail')

      // The mailbox opens in a tab of its own: the page where the code is typed stays open.
      const [mailbox] = await Promise.all([browser.context.waitForEvent('page'), page.click('text=Open the dev mailbox')])
      await mailbox.waitForLoadState()
      expect(await page.locator('#otp').count()).to.equal(1)
      for (let tries = 0; (await mailbox.locator('article.mail').count()) === 0 && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        await mailbox.reload()
      }
      const mail = mailbox.locator('article.mail').first()
      expect(await mail.locator('dd').first().textContent()).to.equal('ada@example.com')
      expect(await mail.locator('pre').textContent()).to.include('Hello Ada Lovelace')
      expect(await mail.locator('pre').textContent()).to.match(/Or type \d{6} on the page where you asked for it/)
      const link = await mail.locator('a.mail-link').getAttribute('href')
      expect(link).to.match(new RegExp(`^${app.url}/magic\\?`))

      // What a mail scanner does: fetch the link without this browser's cookies and press nothing.
      // The link is bound to this browser, so the scanner gets the page that asks for the number.
      for (const method of ['GET', 'HEAD']) {
        const prefetch = await fetch(link as string, { method })
        expect(prefetch.status, method).to.equal(200)
        expect(prefetch.headers.get('cache-control')).to.equal('no-store')
        if (method === 'GET') expect(await prefetch.text()).to.include('Approve the sign-in on your other device')
      }

      await mailbox.close()
      await page.goto(link as string)
      expect(await page.locator('h1').textContent()).to.equal('Finish signing in')
      await page.reload()
      const button = page.locator('#magic-sign-in')
      expect(await button.textContent()).to.equal('Sign in')
      expect(new URL(page.url()).pathname).to.equal('/magic')
      expect(await page.locator('form').last().getAttribute('action')).to.equal('/magic')
      console.log(`    screenshot: ${await screenshot(page, `${store.name} confirm page`)}`)

      // A second tab on the same link, still showing its button once the first tab signed in.
      const stale = await browser.context.newPage()
      await stale.goto(link as string)
      expect(await stale.locator('h1').textContent()).to.equal('Finish signing in')

      await button.click()
      expect(new URL(page.url()).pathname).to.equal('/')
      expect(await page.locator('#signed-in').innerText()).to.equal('Signed in as Ada Lovelace (ada@example.com) via a magic link.')

      if (redisUrl) {
        const redis = await connectRedis(redisUrl)
        try {
          expect(await keysUnder(redis, 'example:sess:')).to.have.length.greaterThan(0)
        } finally {
          await redis.close()
        }
      }

      // Back from the home page lands on the spent link: a signed-in user is offered the way on, not a dead end.
      await page.goBack()
      expect(new URL(page.url()).pathname).to.equal('/magic')
      expect(await page.locator('h1').textContent()).to.equal('You are signed in')
      expect(await page.locator('#used-signed-in').textContent()).to.include('signed in as Ada Lovelace')
      await page.click('main a.button')
      expect(await page.locator('#signed-in').innerText()).to.include('Signed in as Ada Lovelace')
      await stale.click('#magic-sign-in')
      expect(await stale.locator('h1').textContent()).to.equal('You are signed in')
      await stale.close()

      // Signed out, the spent link is a dead link again, which offers a new one.
      await page.click('button:has-text("Sign out")')
      await page.goto(link as string)
      expect(await page.locator('h1').textContent()).to.equal('This link no longer works')
      expect(await page.locator('main a.button').getAttribute('href')).to.equal('/magic-link')
    })

    it('signs a person in with the passcode typed where the link was asked for', async function () {
      const { page } = browser
      const { otp } = await askForLink(page, app.url, 'grace@example.com')
      console.log(`    screenshot: ${await screenshot(page, `${store.name} passcode page`)}`)

      await page.fill('#otp', otp === '000000' ? '000001' : '000000')
      await page.click('#otp-sign-in')
      expect(await page.locator('h1').textContent()).to.equal('Type your code')
      expect(await page.locator('#passcode-refused').textContent()).to.include('That code is not right')
      expect(await page.locator('#passcode-refused').textContent()).to.include('4 tries left')

      await page.fill('#otp', otp)
      await page.click('#otp-sign-in')
      expect(new URL(page.url()).pathname).to.equal('/')
      expect(await page.locator('#signed-in').innerText()).to.equal('Signed in as Grace Hopper (grace@example.com) via a passcode.')
      // Back lands on the refused code's page: signed in now, it says so, and offers no form.
      await page.goBack()
      expect(new URL(page.url()).pathname).to.equal('/magic/code')
      expect(await page.locator('#otp').count()).to.equal(0)
      expect(await page.locator('h1').textContent()).to.equal('You are signed in')
      expect(await page.locator('#used-signed-in').textContent()).to.include('signed in as Grace Hopper')
    })

    it('signs the asking browser in when the number it shows is typed where the link was opened, and not the other one', async function () {
      const { page } = browser
      const { link, code } = await askForLink(page, app.url, 'alan@example.com')
      expect(new URL(page.url()).pathname).to.equal('/magic/wait')
      const number = (await page.locator('#approval-number').textContent()) as string
      expect(number).to.match(/^\d{2}$/)
      console.log(`    screenshot: ${await screenshot(page, `${store.name} waiting page`)}`)

      // A reload of the waiting page shows it again and sends nothing (post-redirect-get).
      const mails = (await mailsTo(app.url, 'alan@example.com')).length
      await page.reload()
      expect(await page.locator('h1').textContent()).to.equal('Check your e-mail')
      expect(await page.locator('#approval-number').textContent()).to.equal(number)
      expect((await mailsTo(app.url, 'alan@example.com')).length).to.equal(mails)
      // "I typed it: continue" before anyone did: the page says it is not approved yet.
      await page.click('#wait-continue')
      expect(await page.locator('h1').textContent()).to.equal('Check your e-mail')
      expect(await page.locator('#wait-status').textContent()).to.include('Not approved yet')

      const phone = await launchBrowser()
      const phoneErrors = consoleErrorsOf(phone.context)
      try {
        await phone.page.goto(link)
        expect(await phone.page.locator('h1').textContent()).to.equal('Approve the sign-in on your other device')
        expect(await phone.page.locator('main').innerHTML()).not.to.include(`>${number}<`)
        expect(await phone.page.locator('#magic-sign-in').count()).to.equal(0)
        expect(await phone.page.locator('#approve-warning').textContent()).to.include('never one that somebody sent you or told you')
        console.log(`    screenshot: ${await screenshot(phone.page, `${store.name} approve page`)}`)
        await phone.page.fill('#approve-number', number)
        await phone.page.click('#approve-sign-in')
        expect(await phone.page.locator('h1').textContent()).to.equal('Approved')
        console.log(`    screenshot: ${await screenshot(phone.page, `${store.name} approved page`)}`)

        // The waiting page polls, and signs in by itself.
        await page.waitForURL(`${app.url}/`, { timeout: 5000 })
        expect(await page.locator('#signed-in').innerText()).to.equal('Signed in as Alan Turing (alan@example.com) via a magic link.')
        await page.goBack()
        expect(await page.locator('h1').textContent()).to.equal('You are signed in')
        await phone.page.goto(`${app.url}/`)
        expect(await phone.page.locator('#signed-in').count(), 'the phone stays signed out').to.equal(0)
        await phone.page.goto(link)
        expect(await phone.page.locator('h1').textContent()).to.equal('This link no longer works')
        expect(await phone.page.locator('main').innerHTML()).not.to.include(code)
        expect(phoneErrors).to.deep.equal([])
      } finally {
        await phone.close()
      }
    })

    it('cancels the sign-in when a wrong number is typed where the link was opened, and says so on both devices', async function () {
      const { page } = browser
      const { link } = await askForLink(page, app.url, 'grace@example.com')
      const number = Number(await page.locator('#approval-number').textContent())
      const phone = await launchBrowser()
      try {
        await phone.page.goto(link)
        await phone.page.fill('#approve-number', String((number + 1) % 100).padStart(2, '0'))
        await phone.page.click('#approve-sign-in')
        expect(await phone.page.locator('h1').textContent()).to.equal('Sign-in cancelled')
        expect(await phone.page.locator('#approve-cancelled').textContent()).to.match(/Nobody\s+was signed in/)
      } finally {
        await phone.close()
      }
      await page.waitForSelector('#wait-cancelled', { timeout: 5000 })
      expect(await page.locator('h1').textContent()).to.equal('Sign-in cancelled')
      console.log(`    screenshot: ${await screenshot(page, `${store.name} waiting page cancelled`)}`)
      await page.goto(`${app.url}/`)
      expect(await page.locator('#signed-in').count()).to.equal(0)
    })

    it('counts the passcode tries made in this browser, and says when the code is used up', async function () {
      const { page } = browser
      const { otp, link } = await askForLink(page, app.url, 'alan@example.com')
      const wrong = otp === '000000' ? '000001' : '000000'
      for (const left of ['4 tries left', '3 tries left', '2 tries left', '1 try left']) {
        await page.fill('#otp', wrong)
        await page.click('#otp-sign-in')
        expect(await page.locator('#passcode-refused').textContent()).to.include(left)
        // Post-redirect-get: a reload shows the same answer and does not try the code again.
        if (left === '4 tries left') {
          await page.reload()
          expect(await page.locator('#passcode-refused').textContent()).to.include(left)
        }
      }
      await page.fill('#otp', wrong)
      await page.click('#otp-sign-in')
      expect(await page.locator('#passcode-refused').textContent()).to.include('That code is used up')
      expect(await page.locator('#otp').count(), 'no form for a burned code').to.equal(0)
      await page.goto(link)
      expect(await page.locator('h1').textContent()).to.equal('This link no longer works')
    })

    it("revokes a user's live links from the support page, and says how many", async function () {
      const { page } = browser
      const { link } = await askForLink(page, app.url, 'ada@example.com')

      await page.goto(`${app.url}/support`)
      expect(new URL(page.url()).pathname).to.equal('/login')
      expect(await page.locator('#login-to-continue').textContent()).to.equal('Sign in to continue to that page.')
      await page.click('button:has-text("Grace Hopper")')
      expect(new URL(page.url()).pathname).to.equal('/support')
      await page.fill('#support-email', 'ada@example.com')
      await page.click('#support-revoke')
      expect(await page.locator('#revoked').innerText()).to.equal('Revoked 1 magic link of Ada Lovelace, with their codes.')
      console.log(`    screenshot: ${await screenshot(page, `${store.name} support page`)}`)
      // Post-redirect-get: a reload shows the same answer and revokes nothing again.
      await page.reload()
      expect(await page.locator('#revoked').innerText()).to.equal('Revoked 1 magic link of Ada Lovelace, with their codes.')
      await page.fill('#support-email', 'ada@example.com')
      await page.click('#support-revoke')
      expect(await page.locator('#revoked').innerText()).to.equal('Ada Lovelace had no live magic links.')

      await page.click('button:has-text("Sign out")')
      await page.goto(link)
      expect(await page.locator('h1').textContent()).to.equal('This link no longer works')
    })

    it('runs the demo OAuth client through /authorize with PKCE and shows the token response', async function () {
      const { page } = browser
      await page.goto(`${app.url}/demo-client`)
      await page.click('#demo-client-start')

      expect(new URL(page.url()).pathname).to.equal('/login')
      await page.click('button:has-text("Grace Hopper")')

      expect(new URL(page.url()).pathname).to.equal('/demo-client/result')
      expect(await page.locator('h1').textContent()).to.equal('Token response')
      expect(await page.locator('#token-response .status').textContent()).to.equal('200')
      const tokens = JSON.parse((await page.locator('#token-response pre').textContent()) as string) as Record<string, unknown>
      // The callback ended with a redirect: a reload shows the same result, not a state mismatch.
      await page.reload()
      expect(await page.locator('h1').textContent()).to.equal('Token response')
      expect(await page.locator('#token-response pre').textContent()).to.equal(JSON.stringify(tokens, null, 2))
      // Back to the login page and the same steps again: the finished sign-in's result, not a state mismatch.
      await page.goBack()
      expect(new URL(page.url()).pathname).to.equal('/login')
      expect(await page.locator('#login-signed-in').textContent()).to.include('You are signed in as Grace Hopper')
      await page.click('button:has-text("Grace Hopper")')
      expect(new URL(page.url()).pathname).to.equal('/demo-client/result')
      expect(await page.locator('h1').textContent()).to.equal('Token response')
      expect(tokens).to.include({ token_type: 'Bearer', expires_in: 3600, scope: 'openid profile' })
      // An RFC 9068 JWT; a request without resource is for the app's default one, its MCP server.
      expect(decodeJwt(tokens.access_token as string)).to.include({ aud: `${app.url}/mcp`, sub: 'user-grace', client_id: 'demo-client' })
      expect(tokens.refresh_token).to.be.a('string').and.have.length(43)

      // Each refresh spends the token and hands back its successor.
      const refreshed = async () => {
        await page.click('#demo-client-refresh')
        expect(await page.locator('h1').textContent()).to.equal('Refreshed')
        expect(await page.locator('#refresh-response .status').textContent()).to.equal('200')
        return JSON.parse((await page.locator('#refresh-response pre').textContent()) as string) as Record<string, unknown>
      }
      const first = await refreshed()
      // Post-redirect-get: a reload shows the same answer and spends no refresh token.
      const shown = await page.locator('#refresh-response pre').textContent()
      await page.reload()
      expect(await page.locator('#refresh-response pre').textContent()).to.equal(shown)
      const second = await refreshed()
      expect(new Set([tokens.refresh_token, first.refresh_token, second.refresh_token]).size).to.equal(3)
      expect(await page.locator('#demo-client-successor').textContent()).to.equal(`…${String(second.refresh_token).slice(-6)}`)
      await screenshot(page, `${store.name} demo client refreshed`)

      // A spent token presented again revokes the family: the current one stops working too.
      await page.click('#demo-client-replay')
      expect(await page.locator('h1').textContent()).to.equal('Reuse detected')
      for (const step of ['#replay-response', '#current-response']) {
        expect(await page.locator(`${step} .status`).textContent()).to.equal('400')
        expect(JSON.parse((await page.locator(`${step} pre`).textContent()) as string)).to.include({ error: 'invalid_grant' })
      }
      expect(await page.locator('#demo-client-refresh').count(), 'nothing left to refresh').to.equal(0)
    })

    it('runs the demo OAuth client with PAR + DPoP: the browser carries only a request_uri, and the tokens are bound to its key', async function () {
      const { page } = browser
      await page.goto(`${app.url}/demo-client`)
      await page.click('#demo-client-start-par')
      expect(new URL(page.url()).pathname).to.equal('/login')
      const returnTo = new URL(new URL(page.url()).searchParams.get('return_to') as string, app.url)
      expect(returnTo.pathname).to.equal('/api/id/v1/auth/authorize')
      expect([...returnTo.searchParams.keys()].sort()).to.deep.equal(['client_id', 'request_uri'])
      await page.click('button:has-text("Grace Hopper")')

      expect(new URL(page.url()).pathname).to.equal('/demo-client/result')
      expect(await page.locator('h1').textContent()).to.equal('Token response')
      expect(await page.locator('#par-response .status').textContent()).to.equal('201')
      expect(await page.locator('#demo-client-token-type').textContent()).to.equal('DPoP')
      expect(await page.locator('#token-response .status').textContent()).to.equal('200')
      const sent = (await page.locator('#token-response pre.request').textContent()) as string
      const proof = JSON.parse(sent.slice(sent.indexOf('{'))) as { header: { typ: string; jwk: JWK }; claims: Record<string, unknown> }
      expect(proof.header).to.include({ typ: 'dpop+jwt', alg: 'ES256' })
      expect(proof.header.jwk).not.to.have.property('d')
      expect(proof.claims).to.include({ htm: 'POST', htu: `${app.url}/api/id/v1/auth/token` })
      const tokens = JSON.parse((await page.locator('#token-response pre.json').textContent()) as string) as Record<string, unknown>
      expect(tokens).to.include({ token_type: 'DPoP', scope: 'openid profile' })
      const jkt = await calculateJwkThumbprint(proof.header.jwk)
      expect(decodeJwt(tokens.access_token as string)).to.deep.include({ sub: 'user-grace', client_id: 'demo-client', cnf: { jkt } })
      await screenshot(page, `${store.name} demo client par dpop`)

      // The refresh carries a proof of the same key, and its answer is bound to it too.
      await page.click('#demo-client-refresh')
      expect(await page.locator('h1').textContent()).to.equal('Refreshed')
      expect(await page.locator('#refresh-response .status').textContent()).to.equal('200')
      expect(await page.locator('#refresh-response pre.request').textContent()).to.match(/^DPoP: ey/)
      const refreshed = JSON.parse((await page.locator('#refresh-response pre.json').textContent()) as string) as Record<string, unknown>
      expect(refreshed).to.include({ token_type: 'DPoP' })
      expect(decodeJwt(refreshed.access_token as string)).to.deep.include({ cnf: { jkt } })
    })

    it('answers an unknown address with the same waiting page as a known one, and sends nothing', async function () {
      const { page } = browser
      const before = await (await fetch(`${app.url}/mailbox`)).text()
      await page.goto(`${app.url}/magic-link`)
      await page.fill('#email', 'nobody@example.com')
      await page.click('form.stack button')
      expect(new URL(page.url()).pathname).to.equal('/magic/wait')
      expect(new URL(page.url()).searchParams.get('pending')).to.match(/^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}$/)
      expect(await page.locator('h1').textContent()).to.equal('Check your e-mail')
      expect(await page.locator('.notice').first().textContent()).to.include('If an account uses that address')
      expect(await page.locator('#approval-number').textContent()).to.match(/^\d{2}$/)
      // Its poller keeps polling, as a real one would: the page stays.
      await new Promise((resolve) => setTimeout(resolve, 2500))
      expect(await page.locator('h1').textContent()).to.equal('Check your e-mail')
      expect(await (await fetch(`${app.url}/mailbox`)).text()).to.equal(before)
    })

    it('says when no more links are sent to an address, and when to ask again, instead of "on their way"', async function () {
      const { page } = browser
      const to = 'ada@example.com'
      let refused = false
      for (let asked = 0; asked < 6 && !refused; asked++) {
        await page.goto(`${app.url}/magic-link`)
        await page.fill('#email', to)
        await page.click('form.stack button')
        refused = (await page.locator('#too-many-links').count()) === 1
      }
      expect(refused, 'refused by the 6th request in 15 minutes').to.equal(true)
      expect(await page.locator('h1').textContent()).to.equal('Too many magic links')
      expect(await page.locator('#too-many-links').textContent()).to.match(/No e-mail was sent.*ask again in \d+ minutes?\./s)
      expect(await page.locator('main').textContent()).not.to.include('on their way')
      console.log(`    screenshot: ${await screenshot(page, `${store.name} too many links`)}`)
      const mails = (await mailsTo(app.url, to)).length
      expect(await page.inputValue('#email'), 'the address stays in the form').to.equal(to)
      await page.click('form.stack button')
      expect(await page.locator('#too-many-links').count()).to.equal(1)
      expect((await mailsTo(app.url, to)).length, 'nothing sent once refused').to.equal(mails)
    })

    it('refuses the 6th link in 15 minutes for an address with no account too, after as long as for one with an account', async function () {
      const { page } = browser
      const ask = async (to: string) => {
        await page.goto(`${app.url}/magic-link`)
        await page.fill('#email', to)
        const started = performance.now()
        await page.click('form.stack button')
        await page.waitForLoadState()
        return { ms: performance.now() - started, refused: (await page.locator('#too-many-links').count()) === 1 }
      }
      const nobody = []
      for (let asked = 0; asked < 6; asked++) nobody.push(await ask('nobody-limit@example.com'))
      expect(nobody.map((a) => a.refused)).to.deep.equal([false, false, false, false, false, true])
      // Grace asked before: her count runs out within 6 more.
      const grace = []
      do grace.push(await ask('grace@example.com'))
      while (!grace.at(-1)?.refused && grace.length < 6)
      expect(grace.at(-1)?.refused).to.equal(true)
      // Every answer waits out the same floor, so the time to answer does not tell the two apart either.
      expect(Math.min(...[...nobody, ...grace].map((a) => a.ms))).to.be.at.least(250)
    })

    it('sends a GET of the form target back to the form, and shows the mailbox times for people', async function () {
      const { page } = browser
      await page.goto(`${app.url}/magic/send`)
      expect(new URL(page.url()).pathname).to.equal('/magic-link')
      expect(await page.locator('h1').textContent()).to.equal('E-mail me a magic link')
      await page.goto(`${app.url}/mailbox`)
      const sent = await page.locator('article.mail dd time').first().textContent()
      expect(sent).to.match(/^(just now|\d+ min ago|\d+ h ago), at \d{2}:\d{2}:\d{2} UTC$/)
      // The waiting page's address comes from the form, never from an e-mail: its error says so.
      await page.goto(`${app.url}/magic/wait`)
      expect(await page.locator('h1').textContent()).to.equal('This page is incomplete')
      expect(await page.locator('main a.button').getAttribute('href')).to.equal('/magic-link')
      // A JSON document names no icon: the browser's own /favicon.ico request is answered too.
      await page.goto(`${app.url}/.well-known/oauth-authorization-server/api/id/v1/auth`)
      const icon = await page.request.get(`${app.url}/favicon.ico`)
      expect(icon.status()).to.equal(200)
      expect(icon.headers()['content-type']).to.match(/^image\/svg\+xml/)
    })

    it('shows an /authorize error that cannot go back to the client on a page of the app, with a way back', async function () {
      const { page } = browser
      await page.goto(`${app.url}/api/id/v1/auth/authorize?response_type=code&client_id=nobody&redirect_uri=https://evil.example/cb`)
      expect(await page.locator('h1').textContent()).to.equal('This sign-in request cannot be used')
      expect(await page.locator('header .brand').count()).to.equal(1)
      expect(await page.locator('main a.button').getAttribute('href')).to.equal('/')
      console.log(`    screenshot: ${await screenshot(page, `${store.name} authorize error page`)}`)
    })

    it('asks the user to approve the native app before every code it gets, and tells the app when the user denies', async function () {
      const { page } = browser
      await page.goto(`${app.url}/demo-native`)
      await page.click('#demo-native-start')
      expect(new URL(page.url()).pathname).to.equal('/login')
      await page.click('button:has-text("Grace Hopper")')

      expect(new URL(page.url()).pathname).to.equal('/consent')
      expect(await page.locator('h1').textContent()).to.equal('Allow Demo native app?')
      expect(await page.locator('#consent-account').textContent()).to.equal('You are signed in as Grace Hopper (grace@example.com).')
      expect(await page.locator('main li').allTextContents()).to.deep.equal(['know who you are (openid)', 'read your name (profile)'])
      await screenshot(page, `${store.name} consent page`)
      await page.click('#consent-deny')
      expect(new URL(page.url()).pathname).to.equal('/demo-native/result')
      expect(await page.locator('.notice.bad').textContent()).to.include('access_denied')

      await page.click('text=Start again')
      expect(new URL(page.url()).pathname).to.equal('/consent')
      await page.click('#consent-allow')
      expect(new URL(page.url()).pathname).to.equal('/demo-native/result')
      expect(await page.locator('h1').textContent()).to.equal('Token response')
      expect(await page.locator('#token-response .status').textContent()).to.equal('200')

      // A native app is asked about on every sign-in (RFC 8252 §8.6): an approval does not carry over.
      await page.click('text=Start again')
      expect(new URL(page.url()).pathname).to.equal('/consent')
      expect(await page.locator('h1').textContent()).to.equal('Allow Demo native app?')
      await page.click('#consent-allow')
      expect(await page.locator('h1').textContent()).to.equal('Token response')

      // Back to that consent page: the request is answered and over, so it is not asked again.
      await page.goBack()
      expect(new URL(page.url()).pathname).to.equal('/consent')
      expect(await page.locator('h1').textContent()).to.equal('Already answered')
      expect(await page.locator('#consent-allow').count()).to.equal(0)
    })

    it('charts codes issued, redeemed and failed on the ops page as they happen, with auth.health()', async function () {
      const { page } = browser
      await page.goto(`${app.url}/`)
      await page.click('#ops-link')
      expect(new URL(page.url()).pathname).to.equal('/ops')
      await page.waitForSelector('body[data-updated]')
      const totals = () =>
        page.$$eval('figure.chart', (figures) => Object.fromEntries(figures.map((f) => [f.dataset.chart, Number(f.dataset.total)])))
      const before = await totals()
      const drawn = await page.locator('#chart-issued svg polyline').count()
      expect(drawn, 'a line per kind').to.equal(3)

      // Meanwhile, in another tab: the demo client's flow issues and redeems a code; a stray code fails.
      const other = await browser.context.newPage()
      await other.goto(`${app.url}/demo-client`)
      await other.click('#demo-client-start')
      await other.click('button:has-text("Grace Hopper")')
      expect(await other.locator('#token-response .status').textContent()).to.equal('200')
      await other.close()
      const stray = await fetch(`${app.url}/api/id/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'A'.repeat(43),
          client_id: 'demo-client',
          redirect_uri: `${app.url}/demo-client/callback`,
        }),
      })
      expect(stray.status).to.equal(400)

      // The page polls every 2 s; the running bucket counts up to the moment of each poll.
      const deadline = Date.now() + 10_000
      let after = await totals()
      while (!['issued', 'redeemed', 'failed'].every((chart) => (after[chart] ?? 0) > (before[chart] ?? 0)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200))
        after = await totals()
      }
      expect(after.issued).to.equal((before.issued ?? 0) + 1)
      expect(after.redeemed).to.equal((before.redeemed ?? 0) + 1)
      expect(after.failed).to.equal((before.failed ?? 0) + 1)
      expect(after.latency, 'store operations charted').to.be.greaterThan(before.latency ?? 0)
      expect(await page.locator('#chart-failed .legend').textContent()).to.include('unknown code 1')
      const health = await page.locator('#ops-health').textContent()
      expect(health).to.include('Store healthy')
      expect(health).to.include(store.redis ? 'maxmemory-policy noeviction' : 'no eviction policy to check')
      console.log(`    screenshot: ${await screenshot(page, `${store.name} ops page`)}`)

      // A Redis that may evict keys: NOT OK, with the reason and the fix auth.health() gives.
      if (redisUrl) {
        const redis = await connectRedis(redisUrl)
        try {
          await redis.configSet('maxmemory-policy', 'allkeys-lru')
          // The page polls every 2 s (its CSP allows no evaluated script, so no waitForFunction).
          await page.locator('#ops-health .chart-total', { hasText: 'NOT OK' }).waitFor({ timeout: 6000 })
          expect(await page.locator('#ops-health li.problem').first().textContent()).to.match(
            /^Problem: an evicting Redis .*\. Fix: CONFIG SET maxmemory-policy noeviction$/s,
          )
          console.log(`    screenshot: ${await screenshot(page, `${store.name} ops page not ok`)}`)
        } finally {
          await redis.configSet('maxmemory-policy', 'noeviction')
          await redis.close()
        }
      }

      const metrics = await (await fetch(`${app.url}/metrics`)).text()
      expect(metrics).to.match(
        /^authcode_codes_issued_total\{authcode_kind="authorize",authcode_client_id="demo-client",[^}]*\} [1-9]\d*$/m,
      )
      expect(metrics).to.match(/^authcode_codes_redeem_failed_total\{authcode_reason="unknown",[^}]*\} [1-9]\d*$/m)
    })

    it('makes signed Capture calls and gets stat "ok" and transaction_state back from oauth/token', async function () {
      const { page } = browser
      await page.goto(`${app.url}/capture-demo`)
      expect(await page.locator('#capture-base-url').textContent()).to.equal(`${app.url}/api/id/v1/auth`)
      await page.selectOption('#email', 'alan@example.com')
      await page.fill('#transaction_state', '{"cart":"c-7",\n "step":"checkout"}')
      await page.click('form.stack button')

      expect(await page.locator('#capture-issue .status').textContent()).to.equal('200')
      expect(await page.locator('#capture-issue code').first().textContent()).to.equal('POST /api/id/v1/auth/access/getAuthorizationCode')
      expect(await page.locator('#capture-exchange .status').textContent()).to.equal('200')
      expect(await page.locator('#capture-exchange code').first().textContent()).to.equal('POST /api/id/v1/auth/oauth/token')
      const sent = (await page.locator('#capture-exchange pre.request').textContent()) as string
      expect(sent).to.match(/^Date: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\nAuthorization: Signature crm:[A-Za-z0-9+/]+=*\n/)
      expect(sent).not.to.match(/client_secret|client_id/)
      const answer = JSON.parse((await page.locator('#capture-exchange pre.json').textContent()) as string) as Record<string, unknown>
      expect(answer).to.include({ stat: 'ok', token_type: 'Bearer' })
      expect(decodeJwt(answer.access_token as string)).to.include({ aud: `${app.url}/mcp`, sub: 'user-alan', client_id: 'crm' })
      expect(answer.transaction_state).to.deep.equal({ cart: 'c-7', step: 'checkout' })
      expect(await page.locator('#transaction-state code').textContent()).to.equal('{"cart":"c-7","step":"checkout"}')
      // Post-redirect-get: a reload shows the same calls and signs and sends none again.
      await page.reload()
      expect(await page.locator('#capture-exchange pre.request').textContent()).to.equal(sent)
      expect(await page.locator('#capture-exchange .status').textContent()).to.equal('200')

      // An hour later the CRM refreshes at the same oauth/token, signed the same way.
      await page.click('#capture-refresh')
      expect(await page.locator('#capture-refresh-step .status').textContent()).to.equal('200')
      const refreshSent = (await page.locator('#capture-refresh-step pre.request').textContent()) as string
      expect(refreshSent).to.match(/^Date: .*\nAuthorization: Signature crm:[A-Za-z0-9+/]+=*\n\ngrant_type=refresh_token&refresh_token=/)
      expect(refreshSent).to.include(`refresh_token=${String(answer.refresh_token)}`)
      const refreshed = JSON.parse((await page.locator('#capture-refresh-step pre.json').textContent()) as string) as Record<
        string,
        unknown
      >
      expect(refreshed).to.include({ stat: 'ok', token_type: 'Bearer' })
      expect(refreshed.refresh_token).to.be.a('string').and.not.equal(answer.refresh_token)
      await page.click('#capture-refresh')
      expect(await page.locator('#capture-refresh-step .status').textContent(), 'the successor refreshes too').to.equal('200')

      // A double click makes one signed call: a second would spend the same token again (reuse),
      // and the family would be revoked, so the next refresh would fail.
      const successor = String(
        (JSON.parse((await page.locator('#capture-refresh-step pre.json').textContent()) as string) as Record<string, unknown>)
          .refresh_token,
      )
      await page.dblclick('#capture-refresh')
      // Both answers, had there been two, are in by then: the page shows the last one.
      await page.waitForTimeout(1000)
      await page.waitForLoadState()
      expect(await page.locator('#capture-refresh-step pre.request').textContent()).to.include(`refresh_token=${successor}`)
      expect(await page.locator('#capture-refresh-step .status').textContent()).to.equal('200')
      await page.click('#capture-refresh')
      expect(await page.locator('#capture-refresh-step .status').textContent(), 'the family lives on').to.equal('200')
    })

    it('logged no console error (a blocked resource, a failing script) on any page the tests above visited', function () {
      expect(loggedErrors).to.deep.equal([])
    })
  })
}
