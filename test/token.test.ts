import { expect } from 'chai'
import request from 'supertest'
import type { Express } from 'express'
import { MemoryStore, type AuthcodeRouter } from '../lib/index.js'
import type { AuthcodeEvent } from '../types/index.js'
import { baseOptions, buildApp, CRM_REDIRECT, CRM_SECRET, issue, MOUNT, tokenForm, VERIFIER, WEB_REDIRECT } from './helpers/app.js'
import { fakeClock, type FakeClock } from './helpers/clock.js'
import { oauthBasic } from './helpers/http.js'

const TOKEN = `${MOUNT}/token`

describe('POST /token', () => {
  let app: Express
  let auth: AuthcodeRouter
  let store: MemoryStore
  let clock: FakeClock

  beforeEach(() => {
    clock = fakeClock()
    store = new MemoryStore({ now: clock.now })
    ;({ app, auth } = buildApp(baseOptions({ store })))
  })
  afterEach(() => store.close())

  const post = (form: Record<string, string>) => request(app).post(TOKEN).type('form').send(form)
  const crmCode = () =>
    issue(auth, {
      kind: 'capture',
      clientId: 'crm',
      redirectUri: CRM_REDIRECT,
      codeChallenge: undefined,
      scope: undefined,
      transactionState: { cart: 7 },
    })

  describe('success', () => {
    it('answers the issueTokens response for a public client presenting the right verifier', async () => {
      const res = await post(tokenForm(await issue(auth)))
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ access_token: 'at-for-user-42', token_type: 'Bearer', expires_in: 3600 })
      expect(res.headers['cache-control']).to.equal('no-store')
      expect(res.headers.pragma).to.equal('no-cache')
      expect(res.headers.etag).to.equal(undefined)
    })

    it('authenticates a confidential client with client_secret_basic', async () => {
      const res = await request(app)
        .post(TOKEN)
        .type('form')
        .set('Authorization', oauthBasic('crm', CRM_SECRET))
        .send({ grant_type: 'authorization_code', code: await crmCode(), redirect_uri: CRM_REDIRECT })
      expect(res.status).to.equal(200)
    })

    it('authenticates a confidential client with client_secret_post and returns transaction_state as JSON', async () => {
      const res = await post({
        grant_type: 'authorization_code',
        code: await crmCode(),
        redirect_uri: CRM_REDIRECT,
        client_id: 'crm',
        client_secret: CRM_SECRET,
      })
      expect(res.status).to.equal(200)
      expect(res.body.transaction_state).to.deep.equal({ cart: 7 })
    })

    it('ignores parameters it does not know, as RFC 6749 §3.2 requires', async () => {
      const res = await post(tokenForm(await issue(auth), { audience: 'https://api.example.com', foo: 'bar' }))
      expect(res.status).to.equal(200)
    })

    it('fires authorization.CodeRedeemed with the grant before answering', async () => {
      const seen: AuthcodeEvent[] = []
      auth.on('authorization.CodeRedeemed', (event) => {
        seen.push(event)
      })
      await post(tokenForm(await issue(auth))).expect(200)
      expect(seen).to.have.length(1)
      expect(seen[0]?.data).to.include({
        kind: 'authorize',
        subject: 'user-42',
        clientId: 'web',
        scope: 'openid',
        redirectUri: WEB_REDIRECT,
      })
    })
  })

  describe('single use', () => {
    it('returns invalid_grant when the code was already used, and fires CodeReuseDetected with the original grant', async () => {
      const reused: AuthcodeEvent[] = []
      auth.on('authorization.CodeReuseDetected', (event) => {
        reused.push(event)
      })
      const code = await issue(auth)
      await post(tokenForm(code)).expect(200)
      const res = await post(tokenForm(code))
      expect(res.status).to.equal(400)
      expect(res.body.error).to.equal('invalid_grant')
      expect(reused).to.have.length(1)
      expect(reused[0]?.data).to.include({ subject: 'user-42', clientId: 'web' })
    })

    it('burns the code on a wrong verifier, so the right verifier then fails too', async () => {
      const code = await issue(auth)
      const wrong = await post(tokenForm(code, { code_verifier: 'x'.repeat(43) }))
      expect(wrong.status).to.equal(400)
      expect(wrong.body.error).to.equal('invalid_grant')
      const right = await post(tokenForm(code))
      expect(right.body.error).to.equal('invalid_grant')
    })

    it('burns the code when the redirect_uri differs', async () => {
      const code = await issue(auth)
      expect((await post(tokenForm(code, { redirect_uri: `${WEB_REDIRECT}/` }))).body.error).to.equal('invalid_grant')
      expect((await post(tokenForm(code))).body.error).to.equal('invalid_grant')
    })
  })

  describe('invalid_grant', () => {
    const cases: Array<[string, () => Promise<Record<string, string>>]> = [
      ['the code is unknown', async () => tokenForm('A'.repeat(43))],
      ['the code is malformed', async () => tokenForm('not-a-code')],
      [
        'the verifier is missing for a PKCE code',
        async () => {
          const { code_verifier: _omit, ...form } = tokenForm(await issue(auth))
          return form
        },
      ],
      [
        'a verifier is sent for a code issued without a challenge',
        async () => ({
          grant_type: 'authorization_code',
          code: await crmCode(),
          redirect_uri: CRM_REDIRECT,
          client_id: 'crm',
          client_secret: CRM_SECRET,
          code_verifier: VERIFIER,
        }),
      ],
      [
        'the code was issued to another client',
        async () => ({
          grant_type: 'authorization_code',
          code: await issue(auth),
          redirect_uri: WEB_REDIRECT,
          client_id: 'crm',
          client_secret: CRM_SECRET,
          code_verifier: VERIFIER,
        }),
      ],
      [
        'the code is a magic-link code',
        async () => tokenForm(await issue(auth, { kind: 'magic_link', redirectUri: undefined, codeChallenge: undefined })),
      ],
    ]
    for (const [what, form] of cases) {
      it(`returns invalid_grant when ${what}`, async () => {
        const res = await post(await form())
        expect(res.status).to.equal(400)
        expect(res.body).to.have.property('error', 'invalid_grant')
        expect(res.body.error_description).to.be.a('string')
      })
    }

    it('returns invalid_grant when the code has expired', async () => {
      const code = await issue(auth, { ttlSeconds: 0.2 })
      clock.advance(300)
      expect((await post(tokenForm(code))).body.error).to.equal('invalid_grant')
    })
  })

  describe('bad requests', () => {
    it('returns unsupported_grant_type for another grant type', async () => {
      const res = await post({ grant_type: 'password', username: 'a', password: 'b' })
      expect(res.status).to.equal(400)
      expect(res.body.error).to.equal('unsupported_grant_type')
    })

    for (const name of ['grant_type', 'code', 'redirect_uri']) {
      it(`returns invalid_request when ${name} is missing`, async () => {
        const form = tokenForm(await issue(auth))
        delete form[name]
        const res = await post(form)
        expect(res.status).to.equal(400)
        expect(res.body.error).to.equal('invalid_request')
        expect(res.body.error_description).to.include(name)
      })
    }

    it('returns invalid_request when a parameter is given twice', async () => {
      const code = await issue(auth)
      const res = await request(app)
        .post(TOKEN)
        .type('form')
        .send(`grant_type=authorization_code&code=${code}&code=${code}&redirect_uri=x&client_id=web`)
      expect(res.status).to.equal(400)
      expect(res.body.error).to.equal('invalid_request')
      expect(res.body.error_description).to.include('code')
    })

    it('returns invalid_request for a JSON body', async () => {
      const res = await request(app)
        .post(TOKEN)
        .send(tokenForm(await issue(auth)))
      expect(res.status).to.equal(400)
      expect(res.body.error).to.equal('invalid_request')
    })

    it('returns 413 for a body over 16 KiB', async () => {
      const res = await post(tokenForm(await issue(auth), { padding: 'x'.repeat(17 * 1024) }))
      expect(res.status).to.equal(413)
      expect(res.body.error).to.equal('invalid_request')
    })

    for (const charset of ['klingon', 'utf-7', 'utf-16', 'latin1']) {
      it(`returns 415, not 5xx, for a body in charset ${charset}`, async () => {
        const res = await request(app)
          .post(TOKEN)
          .set('Content-Type', `application/x-www-form-urlencoded; charset=${charset}`)
          .send('grant_type=authorization_code')
        expect(res.status).to.equal(415)
        expect(res.body.error).to.equal('invalid_request')
      })
    }
  })

  describe('client authentication', () => {
    const crmForm = async () => ({ grant_type: 'authorization_code', code: await crmCode(), redirect_uri: CRM_REDIRECT })

    it('returns 401 invalid_client with WWW-Authenticate: Basic for a wrong Basic secret', async () => {
      const res = await request(app)
        .post(TOKEN)
        .type('form')
        .set('Authorization', oauthBasic('crm', 'nope'))
        .send(await crmForm())
      expect(res.status).to.equal(401)
      expect(res.body.error).to.equal('invalid_client')
      expect(res.headers['www-authenticate']).to.match(/^Basic /)
    })

    it('returns 401 invalid_client for malformed Basic credentials', async () => {
      const res = await request(app)
        .post(TOKEN)
        .type('form')
        .set('Authorization', 'Basic !!!')
        .send(await crmForm())
      expect(res.status).to.equal(401)
      expect(res.headers['www-authenticate']).to.match(/^Basic /)
    })

    it('returns 401 invalid_client for a wrong client_secret_post secret, without a Basic challenge', async () => {
      const res = await post({ ...(await crmForm()), client_id: 'crm', client_secret: 'nope' })
      expect(res.status).to.equal(401)
      expect(res.body.error).to.equal('invalid_client')
      expect(res.headers['www-authenticate']).to.equal(undefined)
    })

    it('returns 401 invalid_client for an unknown client', async () => {
      const res = await post(tokenForm(await issue(auth), { client_id: 'who' }))
      expect(res.status).to.equal(401)
    })

    it('returns 401 invalid_client when a confidential client sends no secret', async () => {
      const res = await post({ ...(await crmForm()), client_id: 'crm' })
      expect(res.status).to.equal(401)
    })

    it('returns 401 invalid_client when a public client sends a secret', async () => {
      const res = await post(tokenForm(await issue(auth), { client_secret: 'guess' }))
      expect(res.status).to.equal(401)
    })

    it('returns invalid_request when Basic and client_secret are both used', async () => {
      const res = await request(app)
        .post(TOKEN)
        .type('form')
        .set('Authorization', oauthBasic('crm', CRM_SECRET))
        .send({ ...(await crmForm()), client_secret: CRM_SECRET })
      expect(res.status).to.equal(400)
      expect(res.body.error).to.equal('invalid_request')
    })

    it('does not consume the code when client authentication fails', async () => {
      const form = await crmForm()
      await post({ ...form, client_id: 'crm', client_secret: 'nope' }).expect(401)
      await post({ ...form, client_id: 'crm', client_secret: CRM_SECRET }).expect(200)
    })
  })

  describe('mounting', () => {
    it('is not mounted without issueTokens', async () => {
      const { app: bare } = buildApp(baseOptions({ store, issueTokens: undefined }))
      await request(bare).post(TOKEN).type('form').send({ grant_type: 'authorization_code' }).expect(404)
    })

    it('answers 500 server_error, without crashing, when issueTokens throws', async () => {
      const { app: failing, auth: failingAuth } = buildApp(
        baseOptions({
          store,
          issueTokens: () => {
            throw new Error('minting failed')
          },
        }),
      )
      const errors: unknown[] = []
      const original = console.error
      console.error = (...args: unknown[]) => errors.push(args)
      try {
        const res = await request(failing)
          .post(TOKEN)
          .type('form')
          .send(tokenForm(await issue(failingAuth)))
        expect(res.status).to.equal(500)
        expect(res.body.error).to.equal('server_error')
      } finally {
        console.error = original
      }
      expect(errors).to.have.length(1)
    })
  })
})
