import { expect } from 'chai'
import request from 'supertest'
import type { AuthcodeOptions, CodeIssuedData, FindUserQuery } from '../types/index.js'
import { baseOptions, buildApp, CRM_REDIRECT, CRM_SECRET } from './helpers/app.js'
import { CAPTURE_URL, expectEnvelope, signedHeaders } from './helpers/capture.js'
import { captureBasic, form } from './helpers/http.js'
import { janrainDate } from './helpers/janrain-client.js'
import { connectRedis, keysUnder, uniquePrefix, useTestRedis } from './helpers/redis.js'

const CRM = captureBasic('crm', CRM_SECRET)
const USER = { uuid: 'f5b3c8a2-2d2c-4f6e-9a77-0b3f4b1d6c11', redirect_uri: CRM_REDIRECT }

describe('POST /access/getAuthorizationCode', () => {
  const redis = useTestRedis()
  let lookups: FindUserQuery[]
  beforeEach(() => {
    lookups = []
  })

  function captureOptions(overrides: Partial<AuthcodeOptions> = {}): AuthcodeOptions {
    const base = baseOptions()
    return baseOptions({
      redis: redis.client,
      // A prefix per app: tests that build several must not share signature claims or counts.
      keyPrefix: uniquePrefix(),
      clients: [
        ...base.clients,
        { id: 'owner', secret: 'owner-secret-0123', captureRoles: ['owner'] },
        { id: 'direct', secret: 'direct-secret-012', captureRoles: ['direct_access'] },
        { id: 'reader', secret: 'reader-secret-012', captureRoles: ['direct_read_access'] },
        { id: 'login', secret: 'login-secret-0123', captureRoles: ['login_client'] },
        { id: 'raw', secret: 'p+w%21:x-0123456789', captureRoles: ['access_issuer'] },
      ],
      findUser: (query) => {
        lookups.push(query)
        return query.uuid === 'nobody' || query.id === '404' ? null : `user-${query.uuid ?? query.id ?? query.keyValue}`
      },
      ...overrides,
    })
  }

  function post(
    options: AuthcodeOptions,
    params: Record<string, string> | string,
    headers: Record<string, string> = { Authorization: CRM },
  ) {
    const { app } = buildApp(options)
    return request(app)
      .post(CAPTURE_URL)
      .set(headers)
      .type('form')
      .send(typeof params === 'string' ? params : form(params).body)
  }

  describe('issuing', () => {
    it('answers { authorizationCode, stat: "ok" } with no-store to a Basic-authenticated access_issuer client', async () => {
      const res = await post(captureOptions(), USER)
      expect(res.status).to.equal(200)
      expect(res.headers['cache-control']).to.equal('no-store')
      expect(Object.keys(res.body).sort()).to.deep.equal(['authorizationCode', 'stat'])
      expect(res.body.stat).to.equal('ok')
      expect(res.body.authorizationCode).to.match(/^[A-Za-z0-9_-]{43}$/)
    })

    it('accepts owner and direct_access clients', async () => {
      expect((await post(captureOptions(), USER, { Authorization: captureBasic('owner', 'owner-secret-0123') })).status).to.equal(200)
      expect((await post(captureOptions(), USER, { Authorization: captureBasic('direct', 'direct-secret-012') })).status).to.equal(200)
    })

    it('takes Basic credentials as they are, without form-decoding them', async () => {
      expect((await post(captureOptions(), USER, { Authorization: captureBasic('raw', 'p+w%21:x-0123456789') })).status).to.equal(200)
      expect((await post(captureOptions(), USER, { Authorization: captureBasic('raw', 'p w!:x-0123456789') })).status).to.equal(401)
    })

    it('passes uuid, id or key_attribute + key_value with type_name (default user) to findUser', async () => {
      const options = captureOptions()
      await post(options, USER)
      await post(options, { id: '11521', type_name: 'member', redirect_uri: CRM_REDIRECT })
      await post(options, { key_attribute: 'email', key_value: 'jane@example.com', redirect_uri: CRM_REDIRECT })
      expect(lookups).to.deep.equal([
        { uuid: USER.uuid, typeName: 'user' },
        { id: '11521', typeName: 'member' },
        { keyAttribute: 'email', keyValue: 'jane@example.com', typeName: 'user' },
      ])
    })

    it('unquotes a JSON-string key_value, as Capture clients send strings', async () => {
      await post(captureOptions(), { key_attribute: 'email', key_value: '"jane@example.com"', redirect_uri: CRM_REDIRECT })
      expect(lookups[0]?.keyValue).to.equal('jane@example.com')
    })

    it('fires authorization.CodeIssued with kind capture, the findUser subject and for_client_id', async () => {
      const { app, auth } = buildApp(captureOptions())
      const events: CodeIssuedData[] = []
      auth.on('authorization.CodeIssued', (event) => {
        events.push(event.data)
      })
      const res = await request(app)
        .post(CAPTURE_URL)
        .set('Authorization', CRM)
        .type('form')
        .send(form({ ...USER, for_client_id: 'owner', lifetime: '120' }).body)
      expect(res.status).to.equal(200)
      expect(events).to.have.length(1)
      expect(events[0]).to.include({ code: res.body.authorizationCode, kind: 'capture', subject: `user-${USER.uuid}`, clientId: 'owner' })
      const lifetimeMs = (events[0]?.expiresAt.getTime() ?? 0) - Date.now()
      expect(lifetimeMs).to.be.greaterThan(100_000).and.at.most(120_000)
    })

    it('is not mounted when findUser is not configured', async () => {
      const { findUser: _findUser, ...options } = captureOptions()
      expect((await post(options, USER)).status).to.equal(404)
    })
  })

  describe('errors in the Capture envelope', () => {
    it('answers 100 missing_argument (400) naming redirect_uri when it is missing', async () => {
      const res = await post(captureOptions(), { uuid: USER.uuid })
      expectEnvelope(res, 400, 100, 'missing_argument')
      expect(res.body.argument_name).to.equal('redirect_uri')
    })

    it('answers 100 missing_argument when the user is not identified, or key_attribute lacks key_value', async () => {
      expectEnvelope(await post(captureOptions(), { redirect_uri: CRM_REDIRECT }), 400, 100, 'missing_argument')
      const res = await post(captureOptions(), { key_attribute: 'email', redirect_uri: CRM_REDIRECT })
      expectEnvelope(res, 400, 100, 'missing_argument')
      expect(res.body.argument_name).to.equal('key_value')
    })

    it('answers 200 invalid_argument (400) for a lifetime outside whole seconds 1–900', async () => {
      for (const lifetime of ['0', '901', '1.5', '-5', 'soon']) {
        const res = await post(captureOptions(), { ...USER, lifetime })
        expectEnvelope(res, 400, 200, 'invalid_argument')
        expect(res.body.argument_name).to.equal('lifetime')
      }
    })

    it('answers 200 invalid_argument for transaction_state that is not JSON or exceeds 8 KiB', async () => {
      expectEnvelope(await post(captureOptions(), { ...USER, transaction_state: '{nope' }), 400, 200, 'invalid_argument')
      const big = JSON.stringify({ pad: 'x'.repeat(8 * 1024) })
      expectEnvelope(await post(captureOptions(), { ...USER, transaction_state: big }), 400, 200, 'invalid_argument')
    })

    it('answers 200 invalid_argument for an unregistered for_client_id or a relative redirect_uri', async () => {
      expectEnvelope(await post(captureOptions(), { ...USER, for_client_id: 'ghost' }), 400, 200, 'invalid_argument')
      expectEnvelope(await post(captureOptions(), { ...USER, redirect_uri: '/oauth' }), 400, 200, 'invalid_argument')
    })

    it('answers 200 invalid_argument when for_client_id names a public client, since the code has no PKCE binding', async () => {
      const res = await post(captureOptions(), { ...USER, for_client_id: 'web' })
      expectEnvelope(res, 400, 200, 'invalid_argument')
      expect(res.body.argument_name).to.equal('for_client_id')
    })

    it('answers 201 duplicate_argument (400) when a parameter is given twice', async () => {
      const res = await post(captureOptions(), `${form(USER).body}&uuid=other`)
      expectEnvelope(res, 400, 201, 'duplicate_argument')
      expect(res.body.argument_name).to.equal('uuid')
    })

    it('answers 201 duplicate_argument when the user is identified two ways', async () => {
      expectEnvelope(await post(captureOptions(), { ...USER, id: '11521' }), 400, 201, 'duplicate_argument')
    })

    it('answers 310 record_not_found (404) when findUser finds nobody', async () => {
      expectEnvelope(await post(captureOptions(), { uuid: 'nobody', redirect_uri: CRM_REDIRECT }), 404, 310, 'record_not_found')
    })

    it('answers 402 invalid_client_credentials (401) with a Basic challenge for a wrong secret, an unknown client or none', async () => {
      const attempts: Record<string, string>[] = [
        { Authorization: captureBasic('crm', 'wrong') },
        { Authorization: captureBasic('ghost', CRM_SECRET) },
        { Authorization: captureBasic('web', '') },
        {},
        { Authorization: 'Bearer svc-token' },
      ]
      for (const headers of attempts) {
        const res = await post(captureOptions(), USER, headers)
        expectEnvelope(res, 401, 402, 'invalid_client_credentials')
        expect(res.headers['www-authenticate']).to.match(/^Basic realm=/)
      }
      expect(lookups).to.have.length(0)
    })

    it('answers 403 client_permission_error (403) to direct_read_access and login_client clients', async () => {
      expectEnvelope(
        await post(captureOptions(), USER, { Authorization: captureBasic('reader', 'reader-secret-012') }),
        403,
        403,
        'client_permission_error',
      )
      expectEnvelope(
        await post(captureOptions(), USER, { Authorization: captureBasic('login', 'login-secret-0123') }),
        403,
        403,
        'client_permission_error',
      )
      expect(lookups).to.have.length(0)
    })

    it('answers 510 api_limit_error (429) with Retry-After and RateLimit headers over the per-client limit', async () => {
      const { app } = buildApp(captureOptions({ rateLimit: { perClient: { limit: 2, windowMs: 60_000 } } }))
      const send = (authorization: string) =>
        request(app).post(CAPTURE_URL).set('Authorization', authorization).type('form').send(form(USER).body)
      expect((await send(CRM)).status).to.equal(200)
      expect((await send(CRM)).status).to.equal(200)
      const res = await send(CRM)
      expectEnvelope(res, 429, 510, 'api_limit_error')
      expect(Number(res.headers['retry-after'])).to.be.greaterThan(0)
      expect(res.headers.ratelimit).to.be.a('string')
      expect((await send(captureBasic('owner', 'owner-secret-0123'))).status, 'another client has its own count').to.equal(200)
    })

    it('answers 500 unexpected_error (500) when findUser throws, without its message', async () => {
      const logged: unknown[] = []
      const original = console.error
      console.error = (...args: unknown[]) => logged.push(args)
      try {
        const res = await post(
          captureOptions({
            findUser: () => {
              throw new Error('db password is hunter2')
            },
          }),
          USER,
        )
        expectEnvelope(res, 500, 500, 'unexpected_error')
        expect(JSON.stringify(res.body)).not.to.include('hunter2')
      } finally {
        console.error = original
      }
      expect(logged).to.have.length(1)
    })

    it('answers 500 unexpected_error with HTTP 503 and Retry-After when the store is unavailable', async () => {
      const closed = await connectRedis()
      await closed.close()
      const res = await post(captureOptions({ redis: closed }), USER)
      expectEnvelope(res, 503, 500, 'unexpected_error')
      expect(res.headers['retry-after']).to.equal('1')
    })
  })

  describe('janrain-signed authentication', () => {
    it('accepts a request signed with the client secret and a current Date', async () => {
      const params = { ...USER, transaction_state: '{"a":1}' }
      const res = await post(captureOptions(), params, signedHeaders('crm', CRM_SECRET, params))
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(res.body.stat).to.equal('ok')
    })

    it('refuses a stale Date outside the clock-skew window', async () => {
      const stale = janrainDate(new Date(Date.now() - 301_000))
      const res = await post(captureOptions(), USER, signedHeaders('crm', CRM_SECRET, USER, stale))
      expectEnvelope(res, 401, 402, 'invalid_client_credentials')
      const future = janrainDate(new Date(Date.now() + 301_000))
      expectEnvelope(
        await post(captureOptions(), USER, signedHeaders('crm', CRM_SECRET, USER, future)),
        401,
        402,
        'invalid_client_credentials',
      )
    })

    it('takes the window from captureClockSkew', async () => {
      const minuteOld = janrainDate(new Date(Date.now() - 60_000))
      expect((await post(captureOptions(), USER, signedHeaders('crm', CRM_SECRET, USER, minuteOld))).status).to.equal(200)
      const res = await post(captureOptions({ captureClockSkew: 30 }), USER, signedHeaders('crm', CRM_SECRET, USER, minuteOld))
      expectEnvelope(res, 401, 402, 'invalid_client_credentials')
    })

    it('refuses a Date that is not YYYY-MM-DD HH:MM:SS, or none', async () => {
      const headers = signedHeaders('crm', CRM_SECRET, USER, new Date().toUTCString())
      expectEnvelope(await post(captureOptions(), USER, headers), 401, 402, 'invalid_client_credentials')
      const { Date: _date, ...noDate } = signedHeaders('crm', CRM_SECRET, USER)
      expectEnvelope(await post(captureOptions(), USER, noDate), 401, 402, 'invalid_client_credentials')
    })

    it('refuses a bad signature: wrong secret, or a parameter changed after signing', async () => {
      expectEnvelope(await post(captureOptions(), USER, signedHeaders('crm', 'wrong', USER)), 401, 402, 'invalid_client_credentials')
      const tampered = { ...USER, uuid: 'someone-else' }
      expectEnvelope(await post(captureOptions(), tampered, signedHeaders('crm', CRM_SECRET, USER)), 401, 402, 'invalid_client_credentials')
      expect(lookups).to.have.length(0)
    })

    it('refuses a replayed signature inside the window', async () => {
      const options = captureOptions()
      const headers = signedHeaders('crm', CRM_SECRET, USER)
      expect((await post(options, USER, headers)).status).to.equal(200)
      const replay = await post(options, USER, headers)
      expectEnvelope(replay, 401, 402, 'invalid_client_credentials')
      expect(lookups).to.have.length(1)
    })

    it('still checks the role of a signed client', async () => {
      const res = await post(captureOptions(), USER, signedHeaders('reader', 'reader-secret-012', USER))
      expectEnvelope(res, 403, 403, 'client_permission_error')
    })

    it('keeps only a hash of an accepted signature in Redis, with a TTL', async () => {
      const options = captureOptions()
      const headers = signedHeaders('crm', CRM_SECRET, USER)
      await post(options, USER, headers)
      const signature = headers.Authorization?.split(':')[1] as string
      const keys = await keysUnder(redis.client, options.keyPrefix as string)
      const claims = keys.filter((key) => key.includes(':once:'))
      expect(claims).to.have.length(1)
      for (const key of keys) {
        expect(key).not.to.include(signature)
        expect(String(await redis.client.get(key))).not.to.include(signature)
      }
      expect(await redis.client.pTTL(claims[0] as string))
        .to.be.greaterThan(0)
        .and.at.most(600_000)
    })
  })

  it('binds the code to redirect_uri exactly as given', async () => {
    // `owner` registered no redirect URIs, so any https: URI is its to choose.
    const redirectUri = 'https://owner.example.com/oauth/cb?from=capture&x=%2F'
    const { app, auth } = buildApp(captureOptions())
    const res = await request(app)
      .post(CAPTURE_URL)
      .set('Authorization', CRM)
      .type('form')
      .send(form({ ...USER, for_client_id: 'owner', redirect_uri: redirectUri }).body)
    const grant = await auth.redeem(res.body.authorizationCode, { kind: 'capture' })
    expect(grant.redirectUri).to.equal(redirectUri)
  })
})
