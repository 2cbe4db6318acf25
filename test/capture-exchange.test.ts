import { expect } from 'chai'
import request from 'supertest'
import { InvalidGrantError, MemoryStore } from '../lib/index.js'
import { buildApp, CRM_REDIRECT, CRM_SECRET, MOUNT } from './helpers/app.js'
import { captureCode, captureOptions, PARTNER_REDIRECT, PARTNER_SECRET } from './helpers/capture.js'
import { fakeClock } from './helpers/clock.js'
import { form, oauthBasic } from './helpers/http.js'
import { useTestRedis } from './helpers/redis.js'

describe('Capture codes at POST /token and auth.redeem()', () => {
  const redis = useTestRedis()

  const options = () => captureOptions(redis.client)

  function exchange(
    app: Parameters<typeof request>[0],
    code: string,
    client = oauthBasic('partner', PARTNER_SECRET),
    redirectUri = PARTNER_REDIRECT,
  ) {
    return request(app)
      .post(`${MOUNT}/token`)
      .set('Authorization', client)
      .type('form')
      .send(form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).body)
  }

  it('exchanges a code for the for_client_id client, with transaction_state parsed back to JSON', async () => {
    const { app } = buildApp(options())
    const state = { cart: [1, 2], next: '/checkout', gift: null }
    const code = await captureCode(app, { transaction_state: JSON.stringify(state) })
    const res = await exchange(app, code)
    expect(res.status, JSON.stringify(res.body)).to.equal(200)
    expect(res.headers['cache-control']).to.equal('no-store')
    expect(res.body).to.deep.equal({ access_token: 'at-for-user-u-1', token_type: 'Bearer', expires_in: 3600, transaction_state: state })
  })

  it('answers without transaction_state when none was given', async () => {
    const { app } = buildApp(options())
    const res = await exchange(app, await captureCode(app))
    expect(res.status).to.equal(200)
    expect(res.body).not.to.have.property('transaction_state')
  })

  it('binds the code to the caller when for_client_id is omitted', async () => {
    const { app } = buildApp(options())
    const code = await captureCode(app, { for_client_id: '', redirect_uri: CRM_REDIRECT })
    const res = await exchange(app, code, oauthBasic('crm', CRM_SECRET), CRM_REDIRECT)
    expect(res.status, JSON.stringify(res.body)).to.equal(200)
  })

  it('refuses the exchange with invalid_grant when another client presents the code', async () => {
    const { app } = buildApp(options())
    const res = await exchange(app, await captureCode(app), oauthBasic('crm', CRM_SECRET))
    expect(res.status).to.equal(400)
    expect(res.body.error).to.equal('invalid_grant')
  })

  it('refuses the exchange with invalid_grant when redirect_uri differs, and burns the code', async () => {
    const { app } = buildApp(options())
    const code = await captureCode(app)
    const wrong = await exchange(app, code, undefined, 'https://partner.example.com/other')
    expect(wrong.status).to.equal(400)
    expect(wrong.body.error).to.equal('invalid_grant')
    expect((await exchange(app, code)).body.error).to.equal('invalid_grant')
  })

  it('redeems through auth.redeem() as kind capture with transactionState', async () => {
    const { app, auth } = buildApp(options())
    const code = await captureCode(app, { transaction_state: '"plain string"' })
    const grant = await auth.redeem(code, { kind: 'capture', clientId: 'partner', redirectUri: PARTNER_REDIRECT })
    expect(grant).to.include({
      kind: 'capture',
      subject: 'user-u-1',
      clientId: 'partner',
      redirectUri: PARTNER_REDIRECT,
      transactionState: 'plain string',
    })
  })

  it('gives a code a lifetime of 30 s by default', async () => {
    const { app, auth } = buildApp(options())
    const grant = await auth.redeem(await captureCode(app), { kind: 'capture' })
    expect(grant.expiresAt.getTime() - grant.issuedAt.getTime()).to.equal(30_000)
  })

  it('honours lifetime: a code issued with lifetime=1 is refused after 1.5 s', async () => {
    // On a store whose clock the test moves, the second and a half passes without waiting.
    const clock = fakeClock()
    const store = new MemoryStore({ now: clock.now })
    const { redis: _shared, keyPrefix: _prefix, ...onRedis } = options()
    const { app, auth } = buildApp({ ...onRedis, store })
    const code = await captureCode(app, { lifetime: '1' })
    const fresh = await auth.redeem(await captureCode(app, { lifetime: '1' }), { kind: 'capture' })
    expect(fresh.expiresAt.getTime() - fresh.issuedAt.getTime()).to.equal(1_000)
    clock.advance(1_500)
    const res = await exchange(app, code)
    store.close()
    expect(res.status).to.equal(400)
    expect(res.body.error).to.equal('invalid_grant')
  })

  it('cannot be redeemed as another kind of code', async () => {
    const { app, auth } = buildApp(options())
    const code = await captureCode(app)
    let error: unknown
    await auth.redeem(code, { kind: 'magic_link' }).catch((err: unknown) => {
      error = err
    })
    expect(error).to.be.instanceOf(InvalidGrantError)
  })
})
