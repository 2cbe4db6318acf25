import { expect } from 'chai'
import type { Express } from 'express'
import request from 'supertest'
import type { AuthcodeOptions, Grant } from '../types/index.js'
import { buildApp, CRM_SECRET, MOUNT } from './helpers/app.js'
import { captureCode, captureOptions, expectEnvelope, PARTNER_REDIRECT, PARTNER_SECRET } from './helpers/capture.js'
import { captureBasic, formText } from './helpers/http.js'
import { JanrainTestClient } from './helpers/janrain-client.js'
import { useTestRedis } from './helpers/redis.js'

const TOKEN_URL = `${MOUNT}/oauth/token`
const PARTNER = captureBasic('partner', PARTNER_SECRET)

describe('POST /oauth/token, grant_type=refresh_token (Capture)', () => {
  const redis = useTestRedis()

  /** An app with refresh tokens on, and the grants its issueTokens saw. */
  function setup(overrides: Partial<AuthcodeOptions> = {}): { app: Express; grants: Grant[] } {
    const grants: Grant[] = []
    const issueTokens = (grant: Grant) => {
      grants.push(grant)
      return { access_token: `at-${grants.length}`, token_type: 'Bearer', expires_in: 3600 }
    }
    return { app: buildApp(captureOptions(redis.client, { refreshTokens: true, issueTokens, ...overrides })).app, grants }
  }

  const post = (app: Express, params: Record<string, string>, headers: Record<string, string> = { Authorization: PARTNER }) =>
    request(app).post(TOKEN_URL).set(headers).type('form').send(formText(params))

  /** Exchanges a fresh Capture code by HTTP Basic and resolves the refresh token of the answer. */
  async function exchanged(app: Express): Promise<string> {
    const res = await post(app, { grant_type: 'authorization_code', code: await captureCode(app), redirect_uri: PARTNER_REDIRECT })
    expect(res.status, JSON.stringify(res.body)).to.equal(200)
    return res.body.refresh_token as string
  }

  const partner = (app: Express, sign: boolean) =>
    new JanrainTestClient({ app, base: MOUNT, clientId: 'partner', clientSecret: PARTNER_SECRET, sign })

  it('rotates a token presented by HTTP Basic: { ...issueTokens(grant), refresh_token, stat: "ok" }', async () => {
    const { app, grants } = setup()
    const token = await exchanged(app)
    const res = await post(app, { grant_type: 'refresh_token', refresh_token: token })
    expect(res.status, JSON.stringify(res.body)).to.equal(200)
    expect(res.body).to.include({ access_token: 'at-2', token_type: 'Bearer', stat: 'ok' })
    expect(res.body.refresh_token).to.match(/^[A-Za-z0-9_-]{43}$/)
    expect(res.body.refresh_token).not.to.equal(token)
    expect(res.headers.pragma).to.equal('no-cache')
    expect(grants[1]).to.include({ grantType: 'refresh_token', kind: 'capture', subject: 'user-u-1', clientId: 'partner' })
  })

  it('rotates a janrain-signed refresh, as Janrain’s client sends it, and one with credentials in the body, in a row', async () => {
    const { app } = setup()
    const signed = await partner(app, true).call('oauth/token', { grant_type: 'refresh_token', refresh_token: await exchanged(app) })
    expect(signed.status, JSON.stringify(signed.body)).to.equal(200)
    expect(signed.body.stat).to.equal('ok')
    const unsigned = await partner(app, false).call('oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: signed.body.refresh_token,
    })
    expect(unsigned.status, JSON.stringify(unsigned.body)).to.equal(200)
    expect(unsigned.body.refresh_token).not.to.equal(signed.body.refresh_token)
  })

  it("refuses another client's token (invalid_grant, code 415) and leaves it to its client", async () => {
    const { app } = setup()
    const token = await exchanged(app)
    const res = await post(app, { grant_type: 'refresh_token', refresh_token: token }, { Authorization: captureBasic('crm', CRM_SECRET) })
    expectEnvelope(res, 400, 415, 'invalid_grant')
    expect((await post(app, { grant_type: 'refresh_token', refresh_token: token })).status).to.equal(200)
  })

  it('revokes the family when a rotated token comes back, answering invalid_grant (code 415)', async () => {
    const { app } = setup()
    const token = await exchanged(app)
    const next = (await post(app, { grant_type: 'refresh_token', refresh_token: token })).body.refresh_token as string
    expectEnvelope(await post(app, { grant_type: 'refresh_token', refresh_token: token }), 400, 415, 'invalid_grant')
    expectEnvelope(await post(app, { grant_type: 'refresh_token', refresh_token: next }), 400, 415, 'invalid_grant')
  })

  it('answers invalid_request (code 100) naming refresh_token when it is missing, and invalid_scope to any scope of a Capture grant', async () => {
    const { app } = setup()
    expectEnvelope(await post(app, { grant_type: 'refresh_token' }), 400, 100, 'invalid_request', 'refresh_token')
    const token = await exchanged(app)
    expectEnvelope(await post(app, { grant_type: 'refresh_token', refresh_token: token, scope: 'openid' }), 400, 200, 'invalid_scope')
    expect((await post(app, { grant_type: 'refresh_token', refresh_token: token })).status, 'nothing spent').to.equal(200)
  })
})
