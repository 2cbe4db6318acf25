import { expect } from 'chai'
import type { Express } from 'express'
import request from 'supertest'
import { MemoryStore, type AuthcodeRouter } from '../lib/index.js'
import type { AuthcodeEvent, AuthcodeOptions, Grant } from '../types/index.js'
import { buildApp, CRM_SECRET, issue, MOUNT, tokenForm } from './helpers/app.js'
import { fakeClock, type FakeClock } from './helpers/clock.js'
import { oauthBasic } from './helpers/http.js'
import { crmExchange, firstRefreshToken, refresh, refreshOptions, TOKEN_URL } from './helpers/refresh.js'

describe('POST /token, grant_type=refresh_token', () => {
  let app: Express
  let auth: AuthcodeRouter
  let store: MemoryStore
  let clock: FakeClock
  let grants: Grant[]
  let reuse: AuthcodeEvent<'authorization.RefreshTokenReuseDetected'>[]

  /** A fresh app on a store whose clock the test moves. */
  function start(overrides: Partial<AuthcodeOptions> = {}): void {
    store?.close()
    clock = fakeClock()
    store = new MemoryStore({ now: clock.now })
    const built = refreshOptions({ store, ...overrides })
    grants = built.grants
    ;({ app, auth } = buildApp(built.options))
    reuse = []
    auth.on('authorization.RefreshTokenReuseDetected', (event) => {
      reuse.push(event)
    })
  }
  beforeEach(() => start())
  afterEach(() => store.close())

  const expectInvalidGrant = (res: request.Response, description?: RegExp) => {
    expect(res.status, JSON.stringify(res.body)).to.equal(400)
    expect(res.body.error).to.equal('invalid_grant')
    if (description) expect(res.body.error_description).to.match(description)
  }

  describe('rotation', () => {
    it('answers issueTokens(grant) with a new refresh token, whose successor refreshes in turn', async () => {
      const first = await firstRefreshToken(app, auth)
      const second = await refresh(app, first)
      expect(second.status, JSON.stringify(second.body)).to.equal(200)
      expect(second.body).to.include({ access_token: 'at-2-for-user-42', token_type: 'Bearer', expires_in: 3600 })
      expect(second.body.refresh_token).to.match(/^[A-Za-z0-9_-]{43}$/)
      expect(second.body.refresh_token).not.to.equal(first)
      expect(second.body.refresh_token.slice(0, 2), 'one hash tag per family').to.equal(first.slice(0, 2))
      expect(second.headers['cache-control']).to.equal('no-store')
      expect(second.headers.pragma).to.equal('no-cache')
      const third = await refresh(app, second.body.refresh_token as string)
      expect(third.status, JSON.stringify(third.body)).to.equal(200)
      expect(third.body.refresh_token).not.to.be.oneOf([first, second.body.refresh_token])
    })

    it("hands issueTokens the family's grant with grantType refresh_token, issuedAt at the family's start and expiresAt at its end", async () => {
      const first = await firstRefreshToken(app, auth)
      const started = clock.now()
      clock.advance(5_000)
      await refresh(app, first).expect(200)
      const [exchanged, refreshed] = grants as [Grant, Grant]
      expect(exchanged.grantType).to.equal('authorization_code')
      expect(refreshed).to.include({
        grantType: 'refresh_token',
        kind: 'authorize',
        subject: 'user-42',
        clientId: 'web',
        scope: 'openid profile',
      })
      expect(refreshed.redirectUri).to.be.a('string')
      expect(refreshed.issuedAt.getTime()).to.be.closeTo(started, 1_000)
      expect(refreshed.expiresAt.getTime() - refreshed.issuedAt.getTime()).to.equal(7_776_000_000)
    })

    it('gives a narrower scope to this access token only; the successor keeps the whole scope', async () => {
      const first = await firstRefreshToken(app, auth)
      const narrow = await refresh(app, first, { scope: 'profile' })
      expect(narrow.status, JSON.stringify(narrow.body)).to.equal(200)
      expect(grants[1]?.scope).to.equal('profile')
      const whole = await refresh(app, narrow.body.refresh_token as string, { scope: 'openid profile' })
      expect(whole.status, JSON.stringify(whole.body)).to.equal(200)
      expect(grants[2]?.scope).to.equal('openid profile')
    })

    it('narrows to one of the family’s RFC 8707 resources, and refuses another with invalid_target without spending the token', async () => {
      const resources = ['https://api.example.com/', 'https://files.example.com/']
      const exchanged = await request(app)
        .post(TOKEN_URL)
        .type('form')
        .send(tokenForm(await issue(auth, { resource: resources })))
      const token = exchanged.body.refresh_token as string
      const other = await refresh(app, token, { resource: 'https://evil.example/' })
      expect(other.status).to.equal(400)
      expect(other.body.error).to.equal('invalid_target')
      const one = await refresh(app, token, { resource: resources[1] as string })
      expect(one.status, JSON.stringify(one.body)).to.equal(200)
      expect(grants.at(-1)?.resource).to.deep.equal([resources[1]])
      expect((await refresh(app, one.body.refresh_token as string)).status).to.equal(200)
      expect(grants.at(-1)?.resource, 'the successor keeps every resource').to.deep.equal(resources)
    })

    it('refuses a wider scope with invalid_scope, and spends nothing', async () => {
      const first = await firstRefreshToken(app, auth, 'openid')
      for (const scope of ['openid profile', 'admin', 'openid  openid']) {
        const res = await refresh(app, first, { scope })
        expect(res.status, scope).to.equal(400)
        expect(res.body.error, scope).to.equal('invalid_scope')
      }
      expect((await refresh(app, first)).status, 'the token still refreshes').to.equal(200)
      expect(reuse).to.have.length(0)
    })

    it('authenticates a confidential client by Basic and by client_secret_post, and refuses a wrong secret without spending the token', async () => {
      const exchanged = await crmExchange(app, auth)
      const token = exchanged.body.refresh_token as string
      const wrong = await request(app)
        .post(TOKEN_URL)
        .type('form')
        .set('Authorization', oauthBasic('crm', 'wrong-secret-0123'))
        .send({ grant_type: 'refresh_token', refresh_token: token })
      expect(wrong.status).to.equal(401)
      expect(wrong.body.error).to.equal('invalid_client')
      const basic = await request(app)
        .post(TOKEN_URL)
        .type('form')
        .set('Authorization', oauthBasic('crm', CRM_SECRET))
        .send({ grant_type: 'refresh_token', refresh_token: token })
      expect(basic.status, JSON.stringify(basic.body)).to.equal(200)
      const post = await request(app)
        .post(TOKEN_URL)
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: basic.body.refresh_token, client_id: 'crm', client_secret: CRM_SECRET })
      expect(post.status, JSON.stringify(post.body)).to.equal(200)
      expect(grants[2]).to.include({ grantType: 'refresh_token', kind: 'capture', clientId: 'crm' })
    })
  })

  describe('refusals', () => {
    it('answers invalid_request without refresh_token, and invalid_grant for an unknown or malformed one', async () => {
      const missing = await request(app).post(TOKEN_URL).type('form').send({ grant_type: 'refresh_token', client_id: 'web' })
      expect(missing.status).to.equal(400)
      expect(missing.body.error).to.equal('invalid_request')
      expectInvalidGrant(await refresh(app, 'A'.repeat(43)))
      expectInvalidGrant(await refresh(app, 'short'))
    })

    it("refuses another client's token with invalid_grant and leaves it to its client", async () => {
      const first = await firstRefreshToken(app, auth)
      const res = await request(app)
        .post(TOKEN_URL)
        .type('form')
        .set('Authorization', oauthBasic('crm', CRM_SECRET))
        .send({ grant_type: 'refresh_token', refresh_token: first })
      expectInvalidGrant(res, /another client/)
      expect((await refresh(app, first)).status).to.equal(200)
      expect(reuse).to.have.length(0)
    })

    it('refuses a code as a refresh token and a refresh token as a code', async () => {
      const code = await issue(auth)
      expectInvalidGrant(await refresh(app, code))
      const first = await firstRefreshToken(app, auth)
      const asCode = await request(app)
        .post(TOKEN_URL)
        .type('form')
        .send({
          grant_type: 'authorization_code',
          code: first,
          redirect_uri: 'https://shop.example.com/callback',
          client_id: 'web',
          code_verifier: 'x'.repeat(43),
        })
      expectInvalidGrant(asCode)
      expect((await refresh(app, first)).status, 'the refresh token is untouched').to.equal(200)
    })

    it('answers unauthorized_client to a client opted out of refresh tokens since', async () => {
      const first = await firstRefreshToken(app, auth)
      const built = refreshOptions({ store })
      const clients = built.options.clients.map((c) => (c.id === 'web' ? { ...c, refreshTokens: false as const } : c))
      const res = await refresh(buildApp({ ...built.options, clients }).app, first)
      expect(res.status).to.equal(400)
      expect(res.body.error).to.equal('unauthorized_client')
    })

    it('answers unsupported_grant_type with refreshTokens off, and lists refresh_token in the metadata only with it on', async () => {
      const off = buildApp(refreshOptions({ store, refreshTokens: false }).options).app
      const res = await refresh(off, 'A'.repeat(43))
      expect(res.body.error).to.equal('unsupported_grant_type')
      const metadata = async (of: Express) =>
        (await request(of).get(`${MOUNT}/.well-known/oauth-authorization-server`)).body.grant_types_supported as string[]
      expect(await metadata(off)).to.deep.equal(['authorization_code'])
      expect(await metadata(app)).to.deep.equal(['authorization_code', 'refresh_token'])
    })
  })

  describe('reuse (RFC 9700 §4.14.2)', () => {
    it('revokes the whole family when a rotated token comes back, the newest token included, and fires RefreshTokenReuseDetected', async () => {
      const first = await firstRefreshToken(app, auth)
      const second = (await refresh(app, first)).body.refresh_token as string
      const third = (await refresh(app, second)).body.refresh_token as string
      expectInvalidGrant(await refresh(app, first), /already used/)
      expect(reuse).to.have.length(1)
      expect(reuse[0]?.data).to.have.keys(['familyId', 'clientId', 'subject'])
      expect(reuse[0]?.data).to.include({ clientId: 'web', subject: 'user-42' })
      expect(reuse[0]?.data.familyId).to.match(new RegExp(`^${first.slice(0, 2).replace(/-/g, '\\-')}`))
      expectInvalidGrant(await refresh(app, third))
      expectInvalidGrant(await refresh(app, second))
      const other = await firstRefreshToken(app, auth)
      expect((await refresh(app, other)).status, 'another family of the same user is left alone').to.equal(200)
    })

    it('within reuseInterval refuses the rotated token without revoking; past it, revokes', async () => {
      start({ refreshTokens: { reuseInterval: 30 } })
      const first = await firstRefreshToken(app, auth)
      const second = (await refresh(app, first)).body.refresh_token as string
      clock.advance(29_000)
      expectInvalidGrant(await refresh(app, first), /just rotated/)
      expect(reuse).to.have.length(0)
      const third = (await refresh(app, second)).body.refresh_token as string
      expect(third).to.be.a('string')
      clock.advance(2_000)
      expectInvalidGrant(await refresh(app, first), /already used/)
      expect(reuse).to.have.length(1)
      expectInvalidGrant(await refresh(app, third))
    })
  })

  describe('lifetimes', () => {
    it('refuses a token left unused past idleTtl', async () => {
      start({ refreshTokens: { idleTtl: 60 } })
      const first = await firstRefreshToken(app, auth)
      clock.advance(61_000)
      expectInvalidGrant(await refresh(app, first))
    })

    it('starts idleTtl again at every rotation', async () => {
      start({ refreshTokens: { idleTtl: 60 } })
      let token = await firstRefreshToken(app, auth)
      for (let i = 0; i < 4; i++) {
        clock.advance(50_000)
        const res = await refresh(app, token)
        expect(res.status, `rotation ${i + 1}, ${50 * (i + 1)} s after the exchange`).to.equal(200)
        token = res.body.refresh_token as string
      }
    })

    it('lets no token outlive maxLifetime from the code exchange, however recently it rotated', async () => {
      start({ refreshTokens: { idleTtl: 60, maxLifetime: 100 } })
      const first = await firstRefreshToken(app, auth)
      clock.advance(50_000)
      const second = (await refresh(app, first)).body.refresh_token as string
      clock.advance(45_000)
      const third = await refresh(app, second)
      expect(third.status, '95 s in').to.equal(200)
      clock.advance(6_000)
      expectInvalidGrant(await refresh(app, third.body.refresh_token as string))
    })
  })
})
