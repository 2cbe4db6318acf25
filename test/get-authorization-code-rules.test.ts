import { expect } from 'chai'
import request from 'supertest'
import type { AuthcodeOptions, CodeIssuedData } from '../types/index.js'
import { buildApp, CRM_REDIRECT, CRM_SECRET, MOUNT, WEB_REDIRECT } from './helpers/app.js'
import { CAPTURE_PATH, CAPTURE_URL, captureOptions, expectEnvelope, PARTNER_REDIRECT, signedHeaders } from './helpers/capture.js'
import { captureBasic, formText } from './helpers/http.js'
import { JanrainTestClient } from './helpers/janrain-client.js'
import { useTestRedis } from './helpers/redis.js'

const CRM = captureBasic('crm', CRM_SECRET)
const USER = { uuid: 'f5b3c8a2-2d2c-4f6e-9a77-0b3f4b1d6c11', redirect_uri: CRM_REDIRECT }

describe('getAuthorizationCode: GET, redirect_uri and signed parameters', () => {
  const redis = useTestRedis()

  const options = (overrides: Partial<AuthcodeOptions> = {}) =>
    captureOptions(redis.client, {
      clients: [...captureOptions(redis.client).clients, { id: 'open', secret: 'open-secret-0123' }],
      ...overrides,
    })

  const post = (opts: AuthcodeOptions, body: string, headers: Record<string, string> = { Authorization: CRM }) =>
    request(buildApp(opts).app).post(CAPTURE_URL).set(headers).type('form').send(body)
  const get = (opts: AuthcodeOptions, query: string, headers: Record<string, string> = { Authorization: CRM }) =>
    request(buildApp(opts).app).get(`${CAPTURE_URL}?${query}`).set(headers)

  describe('GET, with the parameters in the query', () => {
    it('issues a code like POST does, bound to the same user, client and redirect_uri', async () => {
      const { app, auth } = buildApp(options())
      const res = await request(app)
        .get(`${CAPTURE_URL}?${formText({ ...USER, for_client_id: 'partner', redirect_uri: PARTNER_REDIRECT, lifetime: '60' })}`)
        .set('Authorization', CRM)
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(res.headers['cache-control']).to.equal('no-store')
      expect(Object.keys(res.body).sort()).to.deep.equal(['authorizationCode', 'stat'])
      const grant = await auth.redeem(res.body.authorizationCode, { kind: 'capture' })
      expect(grant).to.include({ subject: `user-${USER.uuid}`, clientId: 'partner', redirectUri: PARTNER_REDIRECT })
      expect(grant.expiresAt.getTime() - grant.issuedAt.getTime()).to.equal(60_000)
    })

    it('accepts a janrain-signed GET, the signature covering the query parameters', async () => {
      const client = new JanrainTestClient({
        app: buildApp(options()).app,
        base: MOUNT,
        clientId: 'crm',
        clientSecret: CRM_SECRET,
        method: 'GET',
      })
      const res = await client.call(CAPTURE_PATH, USER)
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(res.body.stat).to.equal('ok')
    })

    it('answers the same Capture errors as POST', async () => {
      expectEnvelope(await get(options(), formText({ uuid: USER.uuid })), 400, 100, 'missing_argument', 'redirect_uri')
      expectEnvelope(
        await get(options(), formText(USER), { Authorization: captureBasic('crm', 'wrong') }),
        401,
        402,
        'invalid_client_credentials',
      )
      expectEnvelope(await get(options(), formText({ ...USER, lifetime: '901' })), 400, 200, 'invalid_argument', 'lifetime')
    })

    it('answers 201 duplicate_argument when a query parameter is given twice', async () => {
      expectEnvelope(await get(options(), `${formText(USER)}&uuid=someone-else`), 400, 201, 'duplicate_argument', 'uuid')
      expectEnvelope(
        await get(options(), `${formText(USER)}&redirect_uri=${encodeURIComponent(CRM_REDIRECT)}`),
        400,
        201,
        'duplicate_argument',
      )
    })

    it('reads the raw query string, not a parsed object: uuid[a]=1 is a parameter named "uuid[a]"', async () => {
      const res = await get(options(), `uuid[a]=1&redirect_uri=${encodeURIComponent(CRM_REDIRECT)}`)
      expectEnvelope(res, 400, 100, 'missing_argument')
    })

    it('issues nothing to HEAD', async () => {
      const { app, auth } = buildApp(options())
      const issued: CodeIssuedData[] = []
      auth.on('authorization.CodeIssued', (event) => {
        issued.push(event.data)
      })
      const res = await request(app)
        .head(`${CAPTURE_URL}?${formText(USER)}`)
        .set('Authorization', CRM)
      expect(res.status).to.equal(405)
      expect(res.headers.allow).to.equal('GET, POST')
      expect(issued).to.have.length(0)
    })
  })

  describe('client credentials as form parameters', () => {
    it("accepts client_id and client_secret in a POST body, as Janrain's client sends them when it does not sign", async () => {
      const client = new JanrainTestClient({
        app: buildApp(options()).app,
        base: MOUNT,
        clientId: 'crm',
        clientSecret: CRM_SECRET,
        sign: false,
      })
      const res = await client.call('access/getAuthorizationCode', USER)
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(res.body.stat).to.equal('ok')
    })

    it('refuses a wrong client_secret, or one beside an Authorization header', async () => {
      expectEnvelope(
        await post(options(), formText({ ...USER, client_id: 'crm', client_secret: 'wrong' }), {}),
        401,
        402,
        'invalid_client_credentials',
      )
      expectEnvelope(await post(options(), formText({ ...USER, client_secret: CRM_SECRET })), 400, 200, 'invalid_argument')
    })

    it('refuses a client_secret in a GET query, which would end up in access logs, and issues nothing', async () => {
      const { app, auth } = buildApp(options())
      let issued = 0
      auth.on('authorization.CodeIssued', () => {
        issued++
      })
      const res = await request(app).get(`${CAPTURE_URL}?${formText({ ...USER, client_id: 'crm', client_secret: CRM_SECRET })}`)
      expectEnvelope(res, 401, 402, 'invalid_client_credentials')
      expect(res.body.error_description).to.match(/URL/)
      expect(issued).to.equal(0)
    })
  })

  describe('redirect_uri', () => {
    it('is required', async () => {
      expectEnvelope(
        await post(options({}), formText({ uuid: USER.uuid, for_client_id: 'open' })),
        400,
        100,
        'missing_argument',
        'redirect_uri',
      )
    })

    it('must be an absolute https: URI without a fragment when the client registered none', async () => {
      const refused = [
        '/oauth',
        'oauth/cb',
        '//open.example.com/cb',
        'https:open.example.com/cb',
        'https://open.example.com/cb#frag',
        'https://open.example.com/cb#',
        'http://open.example.com/cb',
        'http://10.0.0.1/cb',
        'javascript:alert(1)',
        'JavaScript://open.example.com/%0aalert(1)',
        'data:text/html,<script>alert(1)</script>',
        'vbscript:msgbox(1)',
        'file:///etc/passwd',
        'ftp://open.example.com/cb',
        'com.example.app://cb',
        'https://exämple.com/cb',
        'https://open.example.com/c b',
      ]
      for (const redirectUri of refused) {
        const res = await post(options(), formText({ uuid: USER.uuid, for_client_id: 'open', redirect_uri: redirectUri }))
        expectEnvelope(res, 400, 200, 'invalid_argument', 'redirect_uri')
      }
    })

    it('may use http: on a loopback host', async () => {
      for (const redirectUri of [
        'http://127.0.0.1:8080/cb',
        'http://localhost:3000/cb',
        'http://[::1]/cb',
        'https://open.example.com/cb?a=1',
      ]) {
        const res = await post(options(), formText({ uuid: USER.uuid, for_client_id: 'open', redirect_uri: redirectUri }))
        expect(res.status, `${redirectUri}: ${JSON.stringify(res.body)}`).to.equal(200)
      }
    })

    it('must be exactly one of the redirect URIs the receiving client registered', async () => {
      for (const redirectUri of [`${CRM_REDIRECT}/`, `${CRM_REDIRECT}?x=1`, CRM_REDIRECT.toUpperCase(), WEB_REDIRECT, PARTNER_REDIRECT]) {
        expectEnvelope(
          await post(options(), formText({ ...USER, redirect_uri: redirectUri })),
          400,
          200,
          'invalid_argument',
          'redirect_uri',
        )
      }
      expect((await post(options(), formText(USER))).status).to.equal(200)
    })

    it("is checked against for_client_id's registration, not the caller's", async () => {
      const forPartner = { uuid: USER.uuid, for_client_id: 'partner' }
      const res = await post(options(), formText({ ...forPartner, redirect_uri: CRM_REDIRECT }))
      expectEnvelope(res, 400, 200, 'invalid_argument', 'redirect_uri')
      expect((await post(options(), formText({ ...forPartner, redirect_uri: PARTNER_REDIRECT }))).status).to.equal(200)
    })
  })

  describe('signed parameters', () => {
    /** A signed POST of `body` (raw form text) whose signature is computed over `signedAs`. */
    function signedPost(opts: AuthcodeOptions, body: string, signedAs: Record<string, string>) {
      return post(opts, body, signedHeaders('crm', CRM_SECRET, signedAs))
    }

    it('refuses a parameter name holding "=" with 402, though the signature matches the text it makes', async () => {
      // a%3Db=c signs as the line "a=b=c", the same line as parameter a = "b=c".
      const res = await signedPost(options(), `${formText(USER)}&a%3Db=c`, { ...USER, a: 'b=c' })
      expectEnvelope(res, 401, 402, 'invalid_client_credentials')
    })

    it('refuses a parameter name holding a newline with 402', async () => {
      const res = await signedPost(options(), `${formText(USER)}&a%0Ab=c`, { ...USER, 'a\nb': 'c' })
      expectEnvelope(res, 401, 402, 'invalid_client_credentials')
    })

    it('refuses a parameter value holding a newline with 402', async () => {
      // One parameter "lifetime" = "30\nx=1" signs the same text as lifetime = "30" and x = "1".
      const res = await signedPost(options(), `${formText(USER)}&lifetime=30%0Ax%3D1`, { ...USER, lifetime: '30', x: '1' })
      expectEnvelope(res, 401, 402, 'invalid_client_credentials')
      const again = await signedPost(options(), `${formText(USER)}&lifetime=30%0Ax%3D1`, { ...USER, lifetime: '30\nx=1' })
      expectEnvelope(again, 401, 402, 'invalid_client_credentials')
    })

    it('refuses the same in a signed GET query', async () => {
      const query = `${formText(USER)}&note=a%0Ab`
      expectEnvelope(
        await get(options(), query, signedHeaders('crm', CRM_SECRET, { ...USER, note: 'a\nb' })),
        401,
        402,
        'invalid_client_credentials',
      )
    })

    it('lets HTTP Basic requests carry newlines: the rule guards what a signature binds', async () => {
      expect((await post(options(), formText({ ...USER, transaction_state: '{\n"a": 1\n}' }))).status).to.equal(200)
    })

    it('verifies a signed request that also sends client_id (and no other credential) in the body', async () => {
      const res = await signedPost(options(), formText({ ...USER, client_id: 'crm' }), USER)
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
    })

    it('covers parameters sent with an empty value, as the client signed them', async () => {
      const body = formText({ ...USER, type_name: '' })
      expect((await signedPost(options(), body, { ...USER, type_name: '' })).status).to.equal(200)
      expectEnvelope(await signedPost(options(), body, USER), 401, 402, 'invalid_client_credentials')
    })

    it('covers the path relative to the mount point: a signature for another call does not verify', async () => {
      const res = await post(options(), formText(USER), signedHeaders('crm', CRM_SECRET, USER, undefined, '/oauth/token'))
      expectEnvelope(res, 401, 402, 'invalid_client_credentials')
    })
  })
})
