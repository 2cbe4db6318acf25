import { expect } from 'chai'
import type { Express } from 'express'
import request from 'supertest'
import type { AuthcodeRouter } from '../lib/index.js'
import type { AuthcodeEvent, AuthcodeOptions } from '../types/index.js'
import { buildApp, CRM_SECRET, ISSUER, MOUNT } from './helpers/app.js'
import { oauthBasic } from './helpers/http.js'
import { uniquePrefix, useTestRedis } from './helpers/redis.js'
import { crmExchange, firstRefreshToken, refresh, refreshOptions, TOKEN_URL } from './helpers/refresh.js'

const REVOKE_URL = `${MOUNT}/revoke`

describe('POST /revoke (RFC 7009)', () => {
  // On Redis: there every limiter of a scope counts in the same keys, so /revoke and /token share their budgets.
  const redis = useTestRedis()
  let app: Express
  let auth: AuthcodeRouter
  let revoked: AuthcodeEvent<'authorization.RefreshTokenRevoked'>[]

  function start(overrides: Partial<AuthcodeOptions> = {}): void {
    ;({ app, auth } = buildApp(refreshOptions({ redis: redis.client, keyPrefix: uniquePrefix(), ...overrides }).options))
    revoked = []
    auth.on('authorization.RefreshTokenRevoked', (event) => {
      revoked.push(event)
    })
  }
  beforeEach(() => start())

  const revoke = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    request(app).post(REVOKE_URL).set(headers).type('form').send(form)

  /** 200, empty, not cached: what RFC 7009 §2.2 answers whether or not anything was revoked. */
  function expectRevokeAnswer(res: request.Response): void {
    expect(res.status, res.text).to.equal(200)
    expect(res.text).to.equal('')
    expect(res.headers['cache-control']).to.equal('no-store')
  }

  const crmToken = async () => (await crmExchange(app, auth)).body.refresh_token as string

  it("revokes the family of a public client's token: neither it nor its successors refresh any more, and RefreshTokenRevoked fires", async () => {
    const first = await firstRefreshToken(app, auth)
    const second = (await refresh(app, first)).body.refresh_token as string
    expectRevokeAnswer(await revoke({ token: second, client_id: 'web', token_type_hint: 'refresh_token' }))
    expect((await refresh(app, second)).body.error).to.equal('invalid_grant')
    expect(revoked).to.have.length(1)
    expect(revoked[0]?.data).to.include({ clientId: 'web', subject: 'user-42' })
    expect(revoked[0]?.data.familyId).to.be.a('string')
  })

  it('revokes the whole family from a token rotated before, the newest included', async () => {
    const first = await firstRefreshToken(app, auth)
    const second = (await refresh(app, first)).body.refresh_token as string
    expectRevokeAnswer(await revoke({ token: first, client_id: 'web' }))
    expect((await refresh(app, second)).body.error).to.equal('invalid_grant')
  })

  it('authenticates a confidential client by Basic and by client_secret_post, and refuses wrong credentials with 401', async () => {
    const [one, two] = [await crmToken(), await crmToken()]
    const wrong = await revoke({ token: one }, { Authorization: oauthBasic('crm', 'wrong-secret-0123') })
    expect(wrong.status).to.equal(401)
    expect(wrong.body.error).to.equal('invalid_client')
    expect(wrong.headers['www-authenticate']).to.match(/^Basic /)
    expectRevokeAnswer(await revoke({ token: one }, { Authorization: oauthBasic('crm', CRM_SECRET) }))
    expectRevokeAnswer(await revoke({ token: two, client_id: 'crm', client_secret: CRM_SECRET }))
    expect(revoked).to.have.length(2)
  })

  it("answers another client's token, an unknown one, an access token or garbage with 200 and revokes nothing", async () => {
    const token = await firstRefreshToken(app, auth)
    const forms: Array<Record<string, string>> = [
      { token, client_id: 'crm', client_secret: CRM_SECRET },
      { token: 'A'.repeat(43), client_id: 'web' },
      { token: 'at-1-for-user-42', client_id: 'web', token_type_hint: 'access_token' },
      { token: '%%%', client_id: 'web' },
    ]
    for (const form of forms) {
      expectRevokeAnswer(await revoke(form))
    }
    expect(revoked).to.have.length(0)
    expect((await refresh(app, token)).status, "the web client's token still refreshes").to.equal(200)
  })

  it('answers invalid_request without a token, and a second revocation of the same family with 200 alone', async () => {
    const missing = await revoke({ client_id: 'web' })
    expect(missing.status).to.equal(400)
    expect(missing.body.error).to.equal('invalid_request')
    const token = await firstRefreshToken(app, auth)
    expectRevokeAnswer(await revoke({ token, client_id: 'web' }))
    expectRevokeAnswer(await revoke({ token, client_id: 'web' }))
    expect(revoked).to.have.length(1)
  })

  it('is mounted and named in the metadata only with refreshTokens on', async () => {
    expect(auth.metadata).to.include({ revocation_endpoint: `${ISSUER}/revoke` })
    expect(auth.metadata.revocation_endpoint_auth_methods_supported).to.have.members(['none', 'client_secret_basic', 'client_secret_post'])
    start({ refreshTokens: false })
    expect((await revoke({ token: 'x', client_id: 'web' })).status).to.equal(404)
    expect(auth.metadata).not.to.have.property('revocation_endpoint')
  })

  describe('limits, as at /token', () => {
    it('counts failed client authentications against the budget /token spends too', async () => {
      start({ rateLimit: { failedAuth: { limit: 2, windowMs: 60_000 } } })
      const wrong = { Authorization: oauthBasic('crm', 'wrong-secret-0123') }
      expect((await revoke({ token: 'x' }, wrong)).status).to.equal(401)
      const atToken = await request(app).post(TOKEN_URL).set(wrong).type('form').send({ grant_type: 'refresh_token', refresh_token: 'x' })
      expect(atToken.status).to.equal(401)
      const over = await revoke({ token: 'x' }, { Authorization: oauthBasic('crm', CRM_SECRET) })
      expect(over.status, 'over the budget, even with the right secret').to.equal(429)
      expect(Number(over.headers['retry-after'])).to.be.greaterThan(0)
    })

    it('counts every request against the per-IP limit of /token', async () => {
      start({ rateLimit: { perIp: { limit: 2, windowMs: 60_000 } } })
      expectRevokeAnswer(await revoke({ token: 'A'.repeat(43), client_id: 'web' }))
      expect((await refresh(app, 'A'.repeat(43))).status).to.equal(400)
      expect((await revoke({ token: 'A'.repeat(43), client_id: 'web' })).status).to.equal(429)
    })
  })
})
