import { expect } from 'chai'
import request from 'supertest'
import { AuthcodeOptionsError, MemoryStore, OPTIONS_ERROR_CODES, type CodeStore } from '../lib/index.js'
import { refreshTokenId } from '../lib/engine/refresh-record.js'
import { AtRest } from '../lib/engine/at-rest.js'
import { STORE_METHODS } from '../lib/stores/store-methods.js'
import { baseOptions, buildApp, issue, TEST_AT_REST_KEY, tokenForm } from './helpers/app.js'
import { captureCode, captureOptions, PARTNER_REDIRECT, PARTNER_SECRET } from './helpers/capture.js'
import { captureBasic } from './helpers/http.js'
import { crmExchange, firstRefreshToken, refreshOptions, TOKEN_URL } from './helpers/refresh.js'
import { keysUnder, useTestRedis } from './helpers/redis.js'

describe('refresh tokens: minting at the code exchange', () => {
  const stores: MemoryStore[] = []
  after(() => stores.forEach((s) => s.close()))
  const memory = () => {
    const store = new MemoryStore()
    stores.push(store)
    return store
  }

  describe('POST /token', () => {
    it('adds a refresh token of its own (43 base64url characters), replacing the one issueTokens returned, and says the grant is authorization_code', async () => {
      const { options, grants } = refreshOptions({ store: memory() })
      const { app, auth } = buildApp(options)
      const res = await request(app)
        .post(TOKEN_URL)
        .type('form')
        .send(tokenForm(await issue(auth)))
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(res.body).to.include({ access_token: 'at-1-for-user-42', token_type: 'Bearer', expires_in: 3600 })
      expect(res.body.refresh_token).to.match(/^[A-Za-z0-9_-]{43}$/)
      expect(res.body.refresh_token).not.to.equal('the-hosts-own')
      expect(res.headers['cache-control']).to.equal('no-store')
      expect(grants[0]?.grantType).to.equal('authorization_code')
    })

    it('mints a different token at every exchange', async () => {
      const { options } = refreshOptions({ store: memory() })
      const { app, auth } = buildApp(options)
      const tokens = new Set<string>()
      for (let i = 0; i < 20; i++) tokens.add(await firstRefreshToken(app, auth))
      expect(tokens.size).to.equal(20)
    })

    it("leaves issueTokens' answer alone when refreshTokens is off, or for a client that opts out", async () => {
      for (const [refreshTokens, clientOptOut] of [
        [false, false],
        [true, true],
      ] as const) {
        const base = refreshOptions({ store: memory(), refreshTokens })
        const clients = base.options.clients.map((c) => (c.id === 'web' && clientOptOut ? { ...c, refreshTokens: false as const } : c))
        const { app, auth } = buildApp({ ...base.options, clients })
        const res = await request(app)
          .post(TOKEN_URL)
          .type('form')
          .send(tokenForm(await issue(auth)))
        expect(res.body.refresh_token, `refreshTokens: ${refreshTokens}, opted out: ${clientOptOut}`).to.equal('the-hosts-own')
      }
    })

    it('adds one to a confidential client’s exchange of a Capture code too', async () => {
      const { options } = refreshOptions({ store: memory() })
      const { app, auth } = buildApp(options)
      const res = await crmExchange(app, auth)
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(res.body.refresh_token).to.match(/^[A-Za-z0-9_-]{43}$/)
    })

    it('mints nothing when the code does not redeem', async () => {
      const store = memory()
      const { options } = refreshOptions({ store })
      const { app } = buildApp(options)
      const res = await request(app)
        .post(TOKEN_URL)
        .type('form')
        .send(tokenForm('A'.repeat(43)))
      expect(res.body.error).to.equal('invalid_grant')
      expect(res.body.refresh_token).to.equal(undefined)
    })
  })

  describe('POST /oauth/token (Capture)', () => {
    const redis = useTestRedis()

    it('answers { ...issueTokens(grant), refresh_token, stat: "ok" } with the router’s refresh token', async () => {
      const { options, grants } = refreshOptions()
      const { app } = buildApp(captureOptions(redis.client, { refreshTokens: true, issueTokens: options.issueTokens }))
      const res = await request(app)
        .post('/api/id/v1/auth/oauth/token')
        .set('Authorization', captureBasic('partner', PARTNER_SECRET))
        .type('form')
        .send({ grant_type: 'authorization_code', code: await captureCode(app), redirect_uri: PARTNER_REDIRECT })
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(res.body).to.include({ stat: 'ok', access_token: 'at-1-for-user-u-1' })
      expect(res.body.refresh_token).to.match(/^[A-Za-z0-9_-]{43}$/)
      expect(grants[0]).to.include({ grantType: 'authorization_code', kind: 'capture', clientId: 'partner' })
    })

    it('keeps the first token and its family under keys hash-tagged with the token’s first two characters, and neither holds the token', async () => {
      const keyPrefix = redis.prefix
      const { options } = refreshOptions({ redis: redis.client, keyPrefix })
      const { app, auth } = buildApp(options)
      const token = await firstRefreshToken(app, auth)
      const tag = token.slice(0, 2)
      const keys = (await keysUnder(redis.client, keyPrefix)).filter((key) => !key.includes('}code:'))
      const id = refreshTokenId(new AtRest(TEST_AT_REST_KEY), token)
      expect(keys.filter((key) => key.includes('}rt:'))).to.deep.equal([`${keyPrefix}{${tag}}rt:${id}`])
      const family = keys.find((key) => key.includes('}rfam:')) as string
      expect(family).to.match(
        new RegExp(`^${keyPrefix}\\{${tag.replace(/[-]/g, '\\-')}\\}rfam:${tag.replace(/[-]/g, '\\-')}[A-Za-z0-9_-]{22}$`),
      )
      expect(await redis.client.get(family)).to.match(new RegExp(`^${id} \\d+$`))
      for (const key of keys) {
        expect(key).not.to.include(token)
        const value =
          (await redis.client.type(key)) === 'string' ? await redis.client.get(key) : JSON.stringify(await redis.client.dump(key))
        expect(String(value)).not.to.include(token)
        expect(await redis.client.pTTL(key), key).to.be.greaterThan(0)
      }
    })
  })

  describe('options', () => {
    it('refuses lifetimes that are not whole seconds, or a client that asks to be opted in', () => {
      for (const refreshTokens of [{ idleTtl: 0 }, { maxLifetime: 1.5 }, { reuseInterval: -1 }, { idle: 60 }]) {
        expect(() => buildApp(baseOptions({ store: memory(), refreshTokens: refreshTokens as never })), JSON.stringify(refreshTokens))
          .to.throw(AuthcodeOptionsError)
          .with.property('message')
          .that.includes('refreshTokens')
      }
      const clients = baseOptions().clients.map((c) => ({ ...c, refreshTokens: true as never }))
      expect(() => buildApp(baseOptions({ store: memory(), refreshTokens: true, clients }))).to.throw(
        AuthcodeOptionsError,
        /can only be false/,
      )
    })

    it('refuses refreshTokens with a store that keeps no refresh tokens', () => {
      const own = memory()
      // A store of its own making: every method of the contract but the refresh-token store.
      const store = Object.fromEntries(
        STORE_METHODS.map((method) => [method, (own[method] as (...args: unknown[]) => unknown).bind(own)]),
      ) as unknown as CodeStore
      expect(() => buildApp(baseOptions({ store, refreshTokens: true })))
        .to.throw(AuthcodeOptionsError, /refreshTokenStore/)
        .with.property('code', OPTIONS_ERROR_CODES.conflict)
      expect(() => buildApp(baseOptions({ store }))).not.to.throw()
    })
  })
})
