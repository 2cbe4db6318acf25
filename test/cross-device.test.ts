import { randomBytes, randomUUID } from 'node:crypto'
import { expect } from 'chai'
import type { Express } from 'express'
import request from 'supertest'
import {
  AuthcodeOptionsError,
  InvalidGrantError,
  MemoryStore,
  RedisStore,
  StoreUnavailableError,
  type AuthcodeRouter,
} from '../lib/index.js'
import { kContext } from '../lib/authcode.js'
import { csrfToken } from '../lib/endpoints/landing/csrf.js'
import { redeemApproved } from '../lib/engine/approval.js'
import { s256 } from '../lib/engine/pkce.js'
import type { AuthcodeContext } from '../lib/options/context.js'
import type { AuthcodeOptions, CodeStore, LandingPage } from '../types/index.js'
import { codesOptions, postCodes } from './helpers/codes.js'
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
import { connectRedis, useTestRedis } from './helpers/redis.js'
import { approvalStoreContract, savedCode } from './approval-store-contract.js'

const link = landingLink
const WAIT = `${LANDING}/wait`
const APPROVE = `${LANDING}/approve`
const pathOf = (url: string) => {
  const parsed = new URL(url)
  return parsed.pathname + parsed.search
}
/** The number a built-in waiting page shows, if any. */
const numberOn = (html: string) => /<p class="number">(\d\d)<\/p>/.exec(html)?.[1]
/** Another two digits than `number`. */
const wrong = (number: string, by = 1) => String((Number(number) + by) % 100).padStart(2, '0')

/** A browser that asked for a bound link, on the waiting page `POST /codes` sent it to. */
interface Asker {
  browser: TestBrowser
  code: string
  waitUrl: string
  pending: string
  /** The number its waiting page shows. */
  number: string
  /** The completion form's hidden fields. */
  fields: Record<string, string>
}

/** Browser A asks for a bound link (`bindBrowser`, then `POST /codes` with its challenge) and opens `wait_url`. */
async function ask(app: Express): Promise<Asker> {
  const browser = new TestBrowser(app)
  const challenge = await browser.bind()
  const res = await postCodes(app, { external_user_id: 'user-42', code_challenge: challenge, code_challenge_method: 'S256' })
  expect(res.status, res.text).to.equal(201)
  const waitUrl = res.body.wait_url as string
  const page = await browser.get(pathOf(waitUrl))
  expect(page.status, page.text).to.equal(200)
  const number = numberOn(page.text) as string
  expect(number).to.match(/^\d\d$/)
  const pending = new URL(waitUrl).searchParams.get('pending') as string
  return { browser, code: res.body.code as string, waitUrl, pending, number, fields: formFields(page.text) }
}

/** Browser B opens the link, gets the approve page, and types `number`. */
async function approve(app: Express, code: string, number: string, phone = new TestBrowser(app)): Promise<request.Response> {
  const page = await phone.get(link(code))
  expect(page.status, page.text).to.equal(200)
  return phone.post(APPROVE, { ...formFields(page.text), number })
}

/** `GET <path>/wait/status` from `browser`, as the waiting page's script asks it. */
async function statusOf(app: Express, browser: TestBrowser | undefined, pending: string): Promise<request.Response> {
  const req = request(app).get(`${WAIT}/status?pending=${pending}`).set('Accept', 'application/json')
  return browser && browser.cookies.size > 0 ? req.set('Cookie', browser.cookieHeader) : req
}

const statusIs = async (app: Express, asker: Asker, status: string) => {
  const res = await statusOf(app, asker.browser, asker.pending)
  expect(res.status, res.text).to.equal(200)
  expect(res.body).to.deep.equal({ status })
}

const refused = (res: request.Response) => {
  expect(res.status, res.text).to.equal(403)
  expect(res.text).to.include('Open the link again')
}

describe('cross-device approval of magic links (SPEC §3.5c)', () => {
  const redis = useTestRedis()
  const host = (overrides: Partial<AuthcodeOptions> = {}, landing = {}) =>
    landingHost(codesOptions({ redis: redis.client, keyPrefix: redis.prefix, ...overrides }), { crossDevice: true, ...landing })

  describe('POST /codes: wait_url', () => {
    it('answers a bound code with wait_url under magicLinkUrl, whose pending names the sign-in and reveals no code', async () => {
      const { app } = host()
      const { code, waitUrl, pending } = await ask(app)
      expect(waitUrl.startsWith(`${LANDING_URL}/wait?pending=`)).to.equal(true)
      expect(pending).to.match(/^[\w-]{24}\.[\w-]{43}$/)
      expect(waitUrl).not.to.include(code)
      expect(waitUrl).not.to.include(code.slice(2, 12))
    })

    it('answers the idempotent replay with the same wait_url', async () => {
      const { app } = host()
      const challenge = await new TestBrowser(app).bind()
      const body = { external_user_id: 'user-42', code_challenge: challenge, code_challenge_method: 'S256' }
      const key = { 'Idempotency-Key': randomUUID() }
      const [first, replay] = [await postCodes(app, body, key), await postCodes(app, body, key)]
      expect(replay.headers['idempotent-replayed']).to.equal('true')
      expect(replay.body.wait_url).to.be.a('string')
      expect(replay.body).to.deep.equal(first.body)
    })

    it('answers no wait_url for an unbound code, nor when the landing page is built without crossDevice', async () => {
      expect((await postCodes(host().app, { external_user_id: 'user-42' })).body).not.to.have.property('wait_url')
      const { app } = landingHost(codesOptions({ redis: redis.client, keyPrefix: redis.prefix }))
      const challenge = await new TestBrowser(app).bind()
      const res = await postCodes(app, { external_user_id: 'user-42', code_challenge: challenge, code_challenge_method: 'S256' })
      expect(res.status).to.equal(201)
      expect(res.body).not.to.have.property('wait_url')
    })
  })

  describe('the waiting page', () => {
    it('shows the browser that asked a 2-digit number, a form that finishes and a same-origin poller', async () => {
      const { app } = host()
      const { browser, waitUrl, pending, number, fields } = await ask(app)
      const page = await browser.get(pathOf(waitUrl))
      expect(page.text).to.include(`<p class="number">${number}</p>`)
      expect(page.text).to.include(`<form method="post" action="${WAIT}" data-authcode-status="${WAIT}/status?pending=${pending}">`)
      expect(page.text).to.include(`<script src="${WAIT}.js" defer></script>`)
      expect(Object.keys(fields)).to.deep.equal(['pending', 'csrf_token'])
      expect(fields.pending).to.equal(pending)
      expect(page.headers['content-security-policy']).to.include("script-src 'self'; connect-src 'self'")
      expect(page.headers['content-security-policy']).not.to.include('unsafe-inline')
      const script = await browser.get(`${WAIT}.js`)
      expect(script.status).to.equal(200)
      expect(script.headers['content-type']).to.match(/^text\/javascript/)
      expect(script.text).to.include('setTimeout(poll, 1000)')
    })

    it('shows the number only to the browser that asked: any other browser, bound or not, gets a page without it', async () => {
      const { app } = host()
      const { waitUrl, pending, number } = await ask(app)
      const bound = new TestBrowser(app)
      await bound.bind()
      for (const other of [new TestBrowser(app), bound]) {
        const page = await other.get(pathOf(waitUrl))
        expect(page.status).to.equal(403)
        expect(page.text).to.include('Open this page where you asked for the link')
        expect(numberOn(page.text)).to.equal(undefined)
        expect(page.text).not.to.include(`>${number}<`)
        expect(page.text).not.to.include('<form')
        const status = await statusOf(app, other, pending)
        expect(status.status).to.equal(400)
        expect(status.body).not.to.have.property('status', 'pending')
        expect(status.body.type).to.match(/validation-error$/)
      }
    })

    it('gives renderPage the number, the status, the URLs and the form for the browser that asked, and nothing for another', async () => {
      const seen: LandingPage[] = []
      const { app } = host({}, { renderPage: jsonPages(seen) })
      const browser = new TestBrowser(app)
      const challenge = await browser.bind()
      const { wait_url: waitUrl } = (
        await postCodes(app, { external_user_id: 'u', code_challenge: challenge, code_challenge_method: 'S256' })
      ).body
      const mine = await browser.get(pathOf(waitUrl))
      const theirs = await new TestBrowser(app).get(pathOf(waitUrl))
      expect([mine.body.status, theirs.body.status]).to.deep.equal([200, 403])
      const page = seen[0] as Extract<LandingPage, { name: 'wait' }>
      expect(page.wait?.number).to.match(/^\d\d$/)
      expect(page.wait?.status).to.equal('pending')
      expect(page.wait?.statusUrl).to.equal(`${WAIT}/status?pending=${new URL(waitUrl).searchParams.get('pending')}`)
      expect(page.wait?.scriptUrl).to.equal(`${WAIT}.js`)
      expect(page.form?.action).to.equal(WAIT)
      expect(theirs.body.page).to.deep.equal({ name: 'wait' })
    })

    it('shows error for a missing, repeated or malformed pending, and the status answers 400', async () => {
      const { app } = host()
      const { browser, pending } = await ask(app)
      for (const query of ['', '?pending=', `?pending=${pending}&pending=${pending}`, '?pending=abc', `?pending=${pending}x`]) {
        const page = await browser.get(`${WAIT}${query}`)
        expect(page.status, query).to.equal(400)
        expect(page.text).to.include('This magic link is not valid')
      }
      expect((await statusOf(app, browser, 'abc')).status).to.equal(400)
    })
  })

  describe('approving on the other device', () => {
    it('shows approve to a browser without the verifier: a form to type the number into, never the number or a passcode form', async () => {
      const seen: LandingPage[] = []
      const { app } = host({}, { renderPage: jsonPages(seen) })
      const { code } = await issueLink(app, { code_challenge: await new TestBrowser(app).bind(), code_challenge_method: 'S256', otp: true })
      const res = await new TestBrowser(app).get(link(code))
      expect([res.status, res.body.status]).to.deep.equal([200, 200])
      const page = seen[0] as Extract<LandingPage, { name: 'approve'; cancelled: false }>
      expect(page.name).to.equal('approve')
      expect(Object.keys(page)).to.deep.equal(['name', 'cancelled', 'form'])
      expect(page.form.action).to.equal(APPROVE)
      expect(Object.keys(page.form.fields)).to.deep.equal(['code', 'csrf_token'])
    })

    it('the built-in approve page has a number input posting to <path>/approve, and no passcode field', async () => {
      const { app } = host()
      const { code } = await issueLink(app, { code_challenge: await new TestBrowser(app).bind(), code_challenge_method: 'S256', otp: true })
      const page = await new TestBrowser(app).get(link(code))
      expect(page.text).to.include('Approve the sign-in on your other device')
      expect(page.text).to.include('never one that somebody sent you or told you')
      expect(page.text).to.include(`<form method="post" action="${APPROVE}">`)
      expect(page.text).to.include('<input name="number" inputmode="numeric" pattern="[0-9]{2}"')
      expect(page.text).not.to.match(/name="otp"|passcode/i)
      expect(page.text).not.to.include('<script')
    })

    it('the right number approves the browser that asked: its page finishes and signs it in; the phone is not signed in', async () => {
      const { app, signedIn } = host()
      const asker = await ask(app)
      await statusIs(app, asker, 'pending')
      const phone = new TestBrowser(app)
      const approved = await approve(app, asker.code, asker.number, phone)
      expect(approved.status).to.equal(200)
      expect(approved.text).to.include('Sign-in approved')
      expect(signedIn).to.have.length(0)
      await statusIs(app, asker, 'approved')
      // The phone, opening the link again, is told so, and still is not signed in.
      expect((await phone.get(link(asker.code))).text).to.include('Sign-in approved')
      const done = await asker.browser.post(WAIT, asker.fields)
      expect(done.status, done.text).to.equal(200)
      expect(done.body).to.deep.equal({ signedIn: 'user-42' })
      expect(signedIn).to.have.length(1)
      expect(signedIn[0]).to.include({ kind: 'magic_link', subject: 'user-42', clientId: 'crm' })
      await statusIs(app, asker, 'expired')
      // Single use: a second completion signs nobody in.
      const again = await asker.browser.post(WAIT, asker.fields)
      expect(again.status).to.equal(303)
      expect(signedIn).to.have.length(1)
    })

    it('a wrong number cancels the sign-in: the grant is burned, the waiting page says cancelled, and nothing redeems it', async () => {
      const { app, auth, signedIn } = host()
      const asker = await ask(app)
      const confirm = formFields((await asker.browser.get(link(asker.code))).text)
      const res = await approve(app, asker.code, wrong(asker.number))
      expect(res.status).to.equal(410)
      expect(res.text).to.include('Sign-in cancelled')
      await statusIs(app, asker, 'cancelled')
      const page = await asker.browser.get(pathOf(asker.waitUrl))
      expect(page.text).to.include('Sign-in cancelled')
      expect(page.text).not.to.include('<form')
      const completion = await asker.browser.post(WAIT, asker.fields)
      expect(completion.status).to.equal(303)
      expect(completion.headers.location).to.equal(pathOf(asker.waitUrl))
      expect((await asker.browser.post(LANDING, confirm)).status).to.equal(410)
      expect((await asker.browser.get(link(asker.code))).status).to.equal(410)
      const verifier = (await asker.browser.get(`${LANDING}/verifier`)).body.verifier as string
      let error: unknown
      await auth.redeem(asker.code, { kind: 'magic_link', codeVerifier: verifier }).catch((err: unknown) => (error = err))
      expect(error).to.be.instanceOf(InvalidGrantError)
      expect(signedIn).to.have.length(0)
    })

    it('takes one try: a second typed number changes nothing, after a right one or a wrong one', async () => {
      const { app, signedIn } = host()
      const first = await ask(app)
      const firstPhone = new TestBrowser(app)
      const firstFields = formFields((await firstPhone.get(link(first.code))).text)
      expect((await firstPhone.post(APPROVE, { ...firstFields, number: first.number })).status).to.equal(200)
      const second = await firstPhone.post(APPROVE, { ...firstFields, number: wrong(first.number) })
      expect(second.status).to.equal(200)
      expect(second.text).to.include('Sign-in approved')
      await statusIs(app, first, 'approved')
      expect((await first.browser.post(WAIT, first.fields)).status).to.equal(200)
      expect(signedIn).to.have.length(1)

      const other = await ask(app)
      const phone = new TestBrowser(app)
      const fields = formFields((await phone.get(link(other.code))).text)
      expect((await phone.post(APPROVE, { ...fields, number: wrong(other.number) })).status).to.equal(410)
      const late = await phone.post(APPROVE, { ...fields, number: other.number })
      expect(late.status).to.equal(410)
      expect(late.text).not.to.include('Sign-in approved')
      expect((await phone.get(link(other.code))).status).to.equal(410)
      await statusIs(app, other, 'cancelled')
      expect((await other.browser.post(WAIT, other.fields)).status).to.equal(303)
      expect(signedIn).to.have.length(1)
    })

    it('spends nothing on GET or HEAD of any of its pages: the sign-in still approves and finishes after them', async () => {
      const { app, signedIn } = host()
      const asker = await ask(app)
      const phone = new TestBrowser(app)
      for (let i = 0; i < 3; i++) {
        for (const browser of [asker.browser, phone, new TestBrowser(app)]) {
          for (const path of [pathOf(asker.waitUrl), `${WAIT}/status?pending=${asker.pending}`, `${WAIT}.js`, link(asker.code)]) {
            await browser.get(path)
            expect((await browser.head(path)).text ?? '').to.equal('')
          }
        }
      }
      await statusIs(app, asker, 'pending')
      expect(signedIn).to.have.length(0)
      expect((await approve(app, asker.code, asker.number, phone)).status).to.equal(200)
      for (let i = 0; i < 3; i++) await asker.browser.get(pathOf(asker.waitUrl))
      await statusIs(app, asker, 'approved')
      expect((await asker.browser.post(WAIT, asker.fields)).body).to.deep.equal({ signedIn: 'user-42' })
    })

    it('keeps the landing headers on every answer: no-store, no-referrer, frame-ancestors', async () => {
      const { app } = host()
      const asker = await ask(app)
      const phone = new TestBrowser(app)
      const answers = [
        await asker.browser.get(pathOf(asker.waitUrl)),
        await new TestBrowser(app).get(pathOf(asker.waitUrl)),
        await statusOf(app, asker.browser, asker.pending),
        await statusOf(app, phone, asker.pending),
        await phone.get(`${WAIT}.js`),
        await phone.get(link(asker.code)),
        await phone.post(APPROVE, { code: asker.code }),
        await phone.post(WAIT, { pending: asker.pending }),
        await approve(app, asker.code, asker.number, phone),
        await asker.browser.post(WAIT, asker.fields),
      ]
      expect(answers.map((res) => res.status)).to.deep.equal([200, 403, 200, 400, 200, 200, 403, 403, 200, 200])
      for (const res of answers) {
        expect(res.headers['cache-control']).to.equal('no-store')
        expect(res.headers['referrer-policy']).to.equal('no-referrer')
        expect(res.headers['content-security-policy']).to.include("frame-ancestors 'none'")
        expect(res.headers).not.to.have.property('access-control-allow-origin')
      }
    })
  })

  describe('CSRF and cross-site posts', () => {
    for (const [what, headers] of [
      ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
      ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site', Origin: 'https://evil.example.com' }],
      ['another Origin', { Origin: 'https://evil.example.com' }],
    ] as const) {
      it(`refuses both POSTs with ${what}, deciding and spending nothing`, async () => {
        const { app, signedIn } = host()
        const asker = await ask(app)
        const phone = new TestBrowser(app)
        const fields = formFields((await phone.get(link(asker.code))).text)
        refused(await phone.post(APPROVE, { ...fields, number: asker.number }, headers))
        await statusIs(app, asker, 'pending')
        expect(
          (await phone.post(APPROVE, { ...fields, number: asker.number }, { 'Sec-Fetch-Site': 'same-origin', Origin: 'null' })).status,
        ).to.equal(200)
        refused(await asker.browser.post(WAIT, asker.fields, headers))
        await statusIs(app, asker, 'approved')
        expect(signedIn).to.have.length(0)
        expect(
          (await asker.browser.post(WAIT, asker.fields, { 'Sec-Fetch-Site': 'same-origin', Origin: new URL(LANDING_URL).origin })).status,
        ).to.equal(200)
        expect(signedIn).to.have.length(1)
      })
    }

    it('refuses an approval without the CSRF token of this browser and code: no cookie, no token, a confirm token, another code’s', async () => {
      const { app, auth } = host()
      const asker = await ask(app)
      const phone = new TestBrowser(app)
      const fields = formFields((await phone.get(link(asker.code))).text)
      const other = await issueLink(app, { code_challenge: await new TestBrowser(app).bind(), code_challenge_method: 'S256' })
      const othersToken = formFields((await phone.get(link(other.code))).text).csrf_token as string
      const secret = unsealed(phone.cookies.get(CSRF_COOKIE)) as string
      const confirmToken = csrfToken(landingCookiesOf(auth), secret, asker.code)
      refused(await new TestBrowser(app).post(APPROVE, { ...fields, number: asker.number }))
      refused(await phone.post(APPROVE, { code: asker.code, number: asker.number }))
      refused(await phone.post(APPROVE, { code: asker.code, csrf_token: confirmToken, number: asker.number }))
      refused(await phone.post(APPROVE, { code: asker.code, csrf_token: othersToken, number: wrong(asker.number) }))
      await statusIs(app, asker, 'pending')
      expect((await phone.post(APPROVE, { ...fields, number: asker.number })).status).to.equal(200)
    })

    it('refuses a completion without the CSRF token of this browser and sign-in, or from a browser that did not ask', async () => {
      const { app, auth, signedIn } = host()
      const asker = await ask(app)
      const second = await ask(app)
      expect((await approve(app, asker.code, asker.number)).status).to.equal(200)
      refused(await asker.browser.post(WAIT, { pending: asker.pending }))
      refused(await asker.browser.post(WAIT, { pending: asker.pending, csrf_token: second.fields.csrf_token as string }))
      refused(await new TestBrowser(app).post(WAIT, asker.fields))
      // A browser with a binding and a CSRF secret of its own, and a token made for that secret, but another verifier.
      const stranger = new TestBrowser(app)
      await stranger.bind()
      await stranger.get(link(second.code))
      const secret = unsealed(stranger.cookies.get(CSRF_COOKIE)) as string
      const forged = await stranger.post(WAIT, {
        pending: asker.pending,
        csrf_token: csrfToken(landingCookiesOf(auth), secret, `wait ${asker.pending}`),
      })
      expect(forged.status).to.equal(403)
      expect(forged.text).to.include('Open this page where you asked for the link')
      expect(signedIn).to.have.length(0)
      expect((await asker.browser.post(WAIT, asker.fields)).status).to.equal(200)
      expect(signedIn).to.have.length(1)
    })
  })

  describe('the store', () => {
    it('decides once among many concurrent typed numbers, right and wrong, from many browsers', async function () {
      this.timeout(30_000)
      for (let round = 0; round < 4; round++) {
        const { app, signedIn } = host()
        const asker = await ask(app)
        const phones = await Promise.all(
          Array.from({ length: 12 }, async (_, i) => {
            const phone = new TestBrowser(app)
            const fields = formFields((await phone.get(link(asker.code))).text)
            return { phone, fields, number: i % 3 === round % 3 ? asker.number : wrong(asker.number, 1 + i) }
          }),
        )
        const answers = await Promise.all(phones.map(({ phone, fields, number }) => phone.post(APPROVE, { ...fields, number })))
        const statuses = new Set(answers.map((res) => res.status))
        const status = (await statusOf(app, asker.browser, asker.pending)).body.status as string
        if (status === 'approved') {
          expect([...statuses]).to.deep.equal([200])
          expect((await asker.browser.post(WAIT, asker.fields)).status).to.equal(200)
          expect(signedIn).to.have.length(1)
        } else {
          expect(status).to.equal('cancelled')
          // The decision's answer and every later one: cancelled (410) or, once burned, used (410).
          expect([...statuses]).to.deep.equal([410])
          expect(answers.filter((res) => res.text.includes('Sign-in cancelled')).length).to.be.greaterThan(0)
          expect((await asker.browser.post(WAIT, asker.fields)).status).to.equal(303)
          expect(signedIn).to.have.length(0)
        }
      }
    })

    it('records exactly one decision of many concurrent ones from two connections (processes), on Redis', async () => {
      const second = await connectRedis()
      try {
        const stores = [
          new RedisStore({ client: redis.client, prefix: redis.prefix }),
          new RedisStore({ client: second, prefix: redis.prefix }),
        ]
        for (const approveFirst of [true, false]) {
          const id = await savedCode(stores[0] as RedisStore)
          const outcomes = await Promise.all(
            Array.from({ length: 40 }, (_, i) =>
              (stores[i % 2] as RedisStore)
                .approvalStore()
                .decide(id, i % 2 === (approveFirst ? 0 : 1) ? { approve: true, value: `v${i}` } : { approve: false }),
            ),
          )
          expect(outcomes.filter((o) => o.status === 'decided')).to.have.length(1)
          const approved = outcomes.filter((o) => o.status === 'already').map((o) => (o as { approved: boolean }).approved)
          expect(new Set(approved).size).to.equal(1)
        }
      } finally {
        await second.close()
      }
    })

    describe('approval contract: RedisStore', () => {
      approvalStoreContract(() => new RedisStore({ client: redis.client, prefix: redis.prefix }))
    })

    describe('approval contract: MemoryStore', () => {
      approvalStoreContract(() => new MemoryStore())
    })

    it('keeps the approved code for the browser that asked: another challenge cannot open it, and the code stays live', async () => {
      const { app, auth } = host()
      const asker = await ask(app)
      expect((await approve(app, asker.code, asker.number)).status).to.equal(200)
      const { engine } = (auth as unknown as Record<symbol, AuthcodeContext>)[kContext] as AuthcodeContext
      const id = asker.pending.split('.')[0] as string
      const otherVerifier = randomBytes(32).toString('base64url')
      expect(await redeemApproved(engine, id, s256(otherVerifier), otherVerifier)).to.deep.equal({ status: 'expired' })
      expect((await engine.store.peek(id)).status).to.equal('live')
      expect((await asker.browser.post(WAIT, asker.fields)).status).to.equal(200)
    })

    it('keeps an approval no longer than its code, on Redis', async () => {
      const store = new RedisStore({ client: redis.client, prefix: redis.prefix })
      const id = await savedCode(store, 5_000)
      await store.approvalStore().decide(id, { approve: true, value: 'sealed' })
      const [key, approvalKey] = [`${redis.prefix}{${id.slice(0, 2)}}code:${id}`, `${redis.prefix}{${id.slice(0, 2)}}approval:${id}`]
      const [codeTtl, approvalTtl] = [await redis.client.pTTL(key), await redis.client.pTTL(approvalKey)]
      expect(approvalTtl).to.be.greaterThan(0)
      expect(approvalTtl).to.be.at.most(codeTtl)
    })

    it('waits for replicas with durability: too few, and the decision answers 503 (StoreUnavailableError)', async () => {
      const store = new RedisStore({ client: redis.client, prefix: redis.prefix, durability: { replicas: 1, timeoutMs: 20 } })
      const id = await savedCode(new RedisStore({ client: redis.client, prefix: redis.prefix }))
      let error: unknown
      await store
        .approvalStore()
        .decide(id, { approve: false })
        .catch((err: unknown) => (error = err))
      expect(error).to.be.instanceOf(StoreUnavailableError)
    })
  })

  describe('options', () => {
    it('refuses crossDevice on a store that keeps no approvals, and a crossDevice that is not a boolean', () => {
      const base = new MemoryStore()
      const store = Object.assign(base, { approvalStore: undefined }) as unknown as CodeStore
      const auth: AuthcodeRouter = landingHost(codesOptions({ store }), {}).auth
      expect(() => auth.magicLinkLanding({ signIn: () => undefined, crossDevice: true })).to.throw(AuthcodeOptionsError, /crossDevice/)
      expect(() => auth.magicLinkLanding({ signIn: () => undefined, crossDevice: 'yes' as unknown as boolean })).to.throw(
        AuthcodeOptionsError,
        /crossDevice/,
      )
      base.close()
    })

    it('works on a MemoryStore', async () => {
      const store = new MemoryStore()
      const { app, signedIn } = landingHost(codesOptions({ store }), { crossDevice: true })
      const asker = await ask(app)
      expect((await approve(app, asker.code, asker.number)).status).to.equal(200)
      expect((await asker.browser.post(WAIT, asker.fields)).body).to.deep.equal({ signedIn: 'user-42' })
      expect(signedIn).to.have.length(1)
      store.close()
    })
  })
})
