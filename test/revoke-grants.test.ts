import { expect } from 'chai'
import type { Express } from 'express'
import request from 'supertest'
import { InvalidGrantError, type AuthcodeRouter } from '../lib/index.js'
import type { AuthcodeEvent } from '../types/index.js'
import { buildApp, CRM_SECRET, issue, MOUNT } from './helpers/app.js'
import { oauthBasic } from './helpers/http.js'
import { byAttributes, registerTestSdk, type TestSdk } from './helpers/otel.js'
import { keysUnder, uniquePrefix, useTestRedis } from './helpers/redis.js'
import { crmExchange, firstRefreshToken, refresh, refreshOptions, TOKEN_URL } from './helpers/refresh.js'

describe('auth.revokeGrants(): sign out everywhere', () => {
  const redis = useTestRedis()
  let app: Express
  let auth: AuthcodeRouter
  let keyPrefix: string
  let events: AuthcodeEvent<'authorization.GrantsRevoked'>[]

  beforeEach(() => {
    keyPrefix = uniquePrefix()
    ;({ app, auth } = buildApp(refreshOptions({ redis: redis.client, keyPrefix }).options))
    events = []
    auth.on('authorization.GrantsRevoked', (event) => {
      events.push(event)
    })
  })

  const crmToken = async (subject?: string) => (await crmExchange(app, auth, subject)).body.refresh_token as string
  const crmRefresh = (token: string) =>
    request(app)
      .post(TOKEN_URL)
      .type('form')
      .set('Authorization', oauthBasic('crm', CRM_SECRET))
      .send({ grant_type: 'refresh_token', refresh_token: token })
  const magicLink = (subject = 'user-42') => issue(auth, { kind: 'magic_link', subject, clientId: 'crm', codeChallenge: undefined })
  const redeems = (code: string) =>
    auth.redeem(code, { kind: 'magic_link' }).then(
      () => true,
      (err: unknown) => (err instanceof InvalidGrantError ? false : Promise.reject(err)),
    )

  it("revokes every refresh-token family and live magic-link code of the user, of every client, and no one else's", async () => {
    const web = await firstRefreshToken(app, auth)
    const rotated = (await refresh(app, await firstRefreshToken(app, auth))).body.refresh_token as string
    const crm = await crmToken()
    const link = await magicLink()
    const othersToken = await crmToken('user-7')
    const othersLink = await magicLink('user-7')

    expect(await auth.revokeGrants({ subject: 'user-42' })).to.deep.equal({ families: 3, codes: 1 })
    expect((await refresh(app, web)).body.error).to.equal('invalid_grant')
    expect((await refresh(app, rotated)).body.error, 'a family that had rotated').to.equal('invalid_grant')
    expect((await crmRefresh(crm)).body.error).to.equal('invalid_grant')
    expect(await redeems(link)).to.equal(false)
    expect((await crmRefresh(othersToken)).status, "another user's family").to.equal(200)
    expect(await redeems(othersLink), "another user's link").to.equal(true)
    expect(events.map((e) => e.data)).to.deep.equal([{ subject: 'user-42', families: 3, codes: 1 }])
  })

  it('revokes only the grants of one client when given clientId', async () => {
    const web = await firstRefreshToken(app, auth)
    const crm = await crmToken()
    const link = await magicLink()
    expect(await auth.revokeGrants({ subject: 'user-42', clientId: 'web' })).to.deep.equal({ families: 1, codes: 0 })
    expect((await refresh(app, web)).body.error).to.equal('invalid_grant')
    expect((await crmRefresh(crm)).status).to.equal(200)
    expect(await auth.revokeGrants({ subject: 'user-42', clientId: 'crm' })).to.deep.equal({ families: 1, codes: 1 })
    expect(await redeems(link)).to.equal(false)
    expect(events.map((e) => e.data.clientId)).to.deep.equal(['web', 'crm'])
  })

  it('resolves zeros for a user with nothing live, and files families under an HMAC of the user, never the user id', async () => {
    await firstRefreshToken(app, auth)
    expect(await auth.revokeGrants({ subject: 'nobody' })).to.deep.equal({ families: 0, codes: 0 })
    const index = (await keysUnder(redis.client, keyPrefix)).filter((key) => key.includes('}rfams:'))
    expect(index).to.have.length(1)
    expect(index[0]).not.to.include('user-42')
    expect(await redis.client.pTTL(index[0] as string), 'it lives as long as its last family').to.be.greaterThan(0)
  })

  describe('telemetry', () => {
    let sdk: TestSdk | undefined
    afterEach(async () => {
      await sdk?.shutdown()
      sdk = undefined
    })

    it('counts rotations, replays and revoked families, with no token or subject in any attribute', async () => {
      sdk = registerTestSdk()
      const tokens: string[] = []
      const first = await firstRefreshToken(app, auth)
      const second = (await refresh(app, first)).body.refresh_token as string
      tokens.push(first, second)
      await refresh(app, first).expect(400)
      const other = await firstRefreshToken(app, auth)
      tokens.push(other, (await refresh(app, other)).body.refresh_token as string)
      await request(app).post(`${MOUNT}/revoke`).type('form').send({ token: tokens[3], client_id: 'web' })
      await firstRefreshToken(app, auth)
      await crmToken()
      await auth.revokeGrants({ subject: 'user-42' })
      const metrics = await sdk.metrics()
      const points = (name: string) => byAttributes(metrics.get(name)?.points)
      expect(points('authcode.refresh.rotated')).to.deep.equal({ 'authcode.client_id=web': 2 })
      expect(points('authcode.refresh.reuse_detected')).to.deep.equal({ 'authcode.client_id=web': 1 })
      expect(points('authcode.grants.revoked')).to.deep.equal({
        'authcode.reason=reuse': 1,
        'authcode.reason=revocation': 1,
        'authcode.reason=sign_out': 2,
      })
      const exported = JSON.stringify([...metrics.values()].map(({ data, points: p }) => [data.descriptor, p.map((one) => one.attributes)]))
      for (const token of tokens) expect(exported).not.to.include(token)
      expect(exported).not.to.include('user-42')
    })
  })
})
