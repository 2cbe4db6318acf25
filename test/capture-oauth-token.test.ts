import { expect } from 'chai'
import type { Express } from 'express'
import type { Response } from 'supertest'
import request from 'supertest'
import type { AuthcodeRouter } from '../lib/index.js'
import type { AuthcodeOptions, Grant } from '../types/index.js'
import { buildApp, CRM_REDIRECT, CRM_SECRET, issue, MOUNT } from './helpers/app.js'
import { captureCode, captureOptions, expectEnvelope, PARTNER_REDIRECT, PARTNER_SECRET, signedHeaders } from './helpers/capture.js'
import { captureBasic, formText } from './helpers/http.js'
import { janrainDate, JanrainTestClient } from './helpers/janrain-client.js'
import { connectRedis, useTestRedis } from './helpers/redis.js'

const TOKEN_PATH = '/oauth/token'
const TOKEN_URL = MOUNT + TOKEN_PATH
const PARTNER = captureBasic('partner', PARTNER_SECRET)

/** The Capture envelope with an OAuth error name, and `no-cache` besides `no-store`. */
function expectOAuthEnvelope(res: Response, status: number, code: number, error: string): void {
  expectEnvelope(res, status, code, error)
  expect(res.headers.pragma).to.equal('no-cache')
}

function expectInvalidClient(res: Response): void {
  expectOAuthEnvelope(res, 401, 402, 'invalid_client')
  expect(res.headers['www-authenticate']).to.match(/^Basic realm=/)
}

describe('POST /oauth/token (Capture exchange)', () => {
  const redis = useTestRedis()

  const options = (overrides: Partial<AuthcodeOptions> = {}) => captureOptions(redis.client, overrides)

  /** A fresh app, its router, and what its reuse handlers saw. */
  function setup(overrides: Partial<AuthcodeOptions> = {}): { app: Express; auth: AuthcodeRouter; reused: Grant[] } {
    const { app, auth } = buildApp(options(overrides))
    const reused: Grant[] = []
    auth.on('authorization.CodeReuseDetected', (event) => {
      reused.push(event.data)
    })
    return { app, auth, reused }
  }

  const exchangeForm = (code: string, extra: Record<string, string> = {}) => ({
    grant_type: 'authorization_code',
    code,
    redirect_uri: PARTNER_REDIRECT,
    ...extra,
  })

  function exchange(app: Express, body: Record<string, string> | string, headers: Record<string, string> = { Authorization: PARTNER }) {
    return request(app)
      .post(TOKEN_URL)
      .set(headers)
      .type('form')
      .send(typeof body === 'string' ? body : formText(body))
  }

  const partnerClient = (app: Express, sign = true) =>
    new JanrainTestClient({ app, base: MOUNT, clientId: 'partner', clientSecret: PARTNER_SECRET, sign })

  describe('mounting', () => {
    it('is mounted when both findUser and issueTokens are given', async () => {
      const { issueTokens: _issueTokens, ...withoutTokens } = options()
      expect((await exchange(buildApp(withoutTokens).app, exchangeForm('x'))).status).to.equal(404)
      const { findUser: _findUser, ...withoutFindUser } = options()
      expect((await exchange(buildApp(withoutFindUser).app, exchangeForm('x'))).status).to.equal(404)
    })
  })

  describe('success', () => {
    it('answers { ...issueTokens(grant), transaction_state, stat: "ok" } with no-store and no-cache to HTTP Basic', async () => {
      const { app } = setup()
      const state = { cart: [1, 2], next: '/checkout' }
      const res = await exchange(app, exchangeForm(await captureCode(app, { transaction_state: JSON.stringify(state) })))
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(res.headers['cache-control']).to.equal('no-store')
      expect(res.headers.pragma).to.equal('no-cache')
      expect(res.body).to.deep.equal({
        access_token: 'at-for-user-u-1',
        token_type: 'Bearer',
        expires_in: 3600,
        transaction_state: state,
        stat: 'ok',
      })
    })

    it('leaves transaction_state out when none was given, and keeps stat "ok" whatever issueTokens returns', async () => {
      const { app } = setup({ issueTokens: () => ({ access_token: 'a', token_type: 'Bearer', stat: 'error' }) })
      const res = await exchange(app, exchangeForm(await captureCode(app)))
      expect(res.body).to.deep.equal({ access_token: 'a', token_type: 'Bearer', stat: 'ok' })
    })

    it('authenticates client_id and client_secret in the body', async () => {
      const { app } = setup()
      const body = exchangeForm(await captureCode(app), { client_id: 'partner', client_secret: PARTNER_SECRET })
      const res = await exchange(app, body, {})
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(res.body.stat).to.equal('ok')
    })

    it('authenticates a janrain-signed request, as Janrain’s client sends it (no credentials in the body)', async () => {
      const { app } = setup()
      const res = await partnerClient(app).call('oauth/token', exchangeForm(await captureCode(app)))
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(res.body).to.include({ access_token: 'at-for-user-u-1', stat: 'ok' })
    })

    it('works with the same client unsigned, which posts its credentials as parameters', async () => {
      const { app } = setup()
      const res = await partnerClient(app, false).call('oauth/token', exchangeForm(await captureCode(app)))
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
    })

    it('verifies a signed request that also sends client_id in the body', async () => {
      const { app } = setup()
      const params = exchangeForm(await captureCode(app))
      const res = await exchange(
        app,
        { ...params, client_id: 'partner' },
        signedHeaders('partner', PARTNER_SECRET, params, undefined, TOKEN_PATH),
      )
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
    })
  })

  describe('client authentication', () => {
    /** Every failing attempt leaves the code live: the right client redeems it afterwards. */
    async function expectRefusedWithoutConsuming(attempt: (app: Express, code: string) => Promise<Response>): Promise<void> {
      const { app, reused } = setup()
      const code = await captureCode(app)
      expectInvalidClient(await attempt(app, code))
      const res = await exchange(app, exchangeForm(code))
      expect(res.status, `the code survives a failed authentication: ${JSON.stringify(res.body)}`).to.equal(200)
      expect(reused).to.have.length(0)
    }

    it('refuses HTTP Basic with a wrong secret, an unknown client, a public client or a malformed header, without consuming the code', async () => {
      for (const authorization of [
        captureBasic('partner', 'wrong'),
        captureBasic('ghost', PARTNER_SECRET),
        captureBasic('web', ''),
        'Basic %%%',
        'Bearer x',
      ]) {
        await expectRefusedWithoutConsuming((app, code) => exchange(app, exchangeForm(code), { Authorization: authorization }))
      }
    })

    it('refuses body credentials with a wrong secret, a client_id alone, or none at all', async () => {
      for (const credentials of [{ client_id: 'partner', client_secret: 'wrong' }, { client_id: 'partner' }, {}] as Array<
        Record<string, string>
      >) {
        await expectRefusedWithoutConsuming((app, code) => exchange(app, exchangeForm(code, credentials), {}))
      }
    })

    it('refuses a signature with a wrong secret, a stale or missing Date, or a parameter changed after signing', async () => {
      const stale = janrainDate(new Date(Date.now() - 301_000))
      const sign = (params: Record<string, string>, secret = PARTNER_SECRET, date?: string) =>
        signedHeaders('partner', secret, params, date, TOKEN_PATH)
      await expectRefusedWithoutConsuming((app, code) => exchange(app, exchangeForm(code), sign(exchangeForm(code), 'wrong')))
      await expectRefusedWithoutConsuming((app, code) => exchange(app, exchangeForm(code), sign(exchangeForm(code), undefined, stale)))
      await expectRefusedWithoutConsuming((app, code) => {
        const { Date: _date, ...headers } = sign(exchangeForm(code))
        return exchange(app, exchangeForm(code), headers)
      })
      await expectRefusedWithoutConsuming((app, code) =>
        exchange(app, exchangeForm(code), sign(exchangeForm(code, { redirect_uri: 'https://partner.example.com/other' }))),
      )
    })

    it('refuses a signed request whose parameters the signature cannot bind', async () => {
      await expectRefusedWithoutConsuming((app, code) => {
        const params = exchangeForm(code)
        return exchange(
          app,
          `${formText(params)}&x=1%0Ay%3D2`,
          signedHeaders('partner', PARTNER_SECRET, { ...params, x: '1', y: '2' }, undefined, TOKEN_PATH),
        )
      })
    })

    it('accepts each signature once', async () => {
      const { app, reused } = setup()
      const params = exchangeForm(await captureCode(app))
      const headers = signedHeaders('partner', PARTNER_SECRET, params, undefined, TOKEN_PATH)
      expect((await exchange(app, params, headers)).status).to.equal(200)
      expectInvalidClient(await exchange(app, params, headers))
      expect(reused, 'the replay is refused before the code is looked at').to.have.length(0)
    })

    it('answers invalid_request (code 200) to an Authorization header with client_secret, or with another client_id, in the body', async () => {
      const { app } = setup()
      const code = await captureCode(app)
      expectOAuthEnvelope(await exchange(app, exchangeForm(code, { client_secret: PARTNER_SECRET })), 400, 200, 'invalid_request')
      expectOAuthEnvelope(await exchange(app, exchangeForm(code, { client_id: 'crm' })), 400, 200, 'invalid_request')
      const signed = signedHeaders('partner', PARTNER_SECRET, exchangeForm(code), undefined, TOKEN_PATH)
      expectOAuthEnvelope(await exchange(app, exchangeForm(code, { client_id: 'crm' }), signed), 400, 200, 'invalid_request')
      expect((await exchange(app, exchangeForm(code))).status, 'none of these consumed the code').to.equal(200)
    })
  })

  describe('errors in the Capture envelope', () => {
    it('answers invalid_request with code 100 and argument_name for a missing grant_type, code or redirect_uri', async () => {
      const { app } = setup()
      for (const name of ['grant_type', 'code', 'redirect_uri']) {
        const { [name]: _left, ...rest }: Record<string, string> = exchangeForm('c'.repeat(43))
        const res = await exchange(app, rest)
        expectOAuthEnvelope(res, 400, 100, 'invalid_request')
        expect(res.body.argument_name).to.equal(name)
      }
    })

    it('answers unsupported_grant_type with code 200 for another grant_type', async () => {
      expectOAuthEnvelope(
        await exchange(setup().app, exchangeForm('x', { grant_type: 'refresh_token' })),
        400,
        200,
        'unsupported_grant_type',
      )
    })

    it('answers invalid_request with code 201 and argument_name for a repeated parameter', async () => {
      const res = await exchange(setup().app, `${formText(exchangeForm('x'))}&code=y`)
      expectOAuthEnvelope(res, 400, 201, 'invalid_request')
      expect(res.body.argument_name).to.equal('code')
    })

    it('answers invalid_request with code 200 for a body that is not a form', async () => {
      const res = await request(setup().app).post(TOKEN_URL).set('Authorization', PARTNER).send({ grant_type: 'authorization_code' })
      expectOAuthEnvelope(res, 400, 200, 'invalid_request')
    })

    it('answers invalid_grant with code 415 for an unknown code', async () => {
      expectOAuthEnvelope(await exchange(setup().app, exchangeForm('A'.repeat(43))), 400, 415, 'invalid_grant')
      expectOAuthEnvelope(await exchange(setup().app, exchangeForm('short')), 400, 415, 'invalid_grant')
    })

    it('answers temporarily_unavailable (code 500) with HTTP 503 and Retry-After while the store is down', async () => {
      const closed = await connectRedis()
      await closed.close()
      const res = await exchange(buildApp(options({ redis: closed })).app, exchangeForm('A'.repeat(43)))
      expectOAuthEnvelope(res, 503, 500, 'temporarily_unavailable')
      expect(Number(res.headers['retry-after'])).to.be.greaterThan(0)
    })

    it('answers server_error (code 500) when issueTokens throws, without its message', async () => {
      const original = console.error
      console.error = () => undefined
      try {
        const { app } = setup({
          issueTokens: () => {
            throw new Error('token signer key is hunter2')
          },
        })
        const res = await exchange(app, exchangeForm(await captureCode(app)))
        expectOAuthEnvelope(res, 500, 500, 'server_error')
        expect(JSON.stringify(res.body)).not.to.include('hunter2')
      } finally {
        console.error = original
      }
    })

    it('answers api_limit_error (code 510) with HTTP 429 over the per-IP limit', async () => {
      const { app } = setup({ rateLimit: { perIp: { limit: 1, windowMs: 60_000 } } })
      await exchange(app, exchangeForm('A'.repeat(43)))
      const res = await exchange(app, exchangeForm('A'.repeat(43)))
      expectOAuthEnvelope(res, 429, 510, 'api_limit_error')
      expect(Number(res.headers['retry-after'])).to.be.greaterThan(0)
    })
  })

  describe('single use', () => {
    it('refuses a used code with invalid_grant and fires CodeReuseDetected with the original grant', async () => {
      const { app, reused } = setup()
      const code = await captureCode(app)
      expect((await exchange(app, exchangeForm(code))).status).to.equal(200)
      expectOAuthEnvelope(await exchange(app, exchangeForm(code)), 400, 415, 'invalid_grant')
      expect(reused).to.have.length(1)
      expect(reused[0]).to.include({ kind: 'capture', subject: 'user-u-1', clientId: 'partner', redirectUri: PARTNER_REDIRECT })
    })

    it('burns a code presented with another redirect_uri', async () => {
      const { app, reused } = setup()
      const code = await captureCode(app)
      expectOAuthEnvelope(await exchange(app, exchangeForm(code, { redirect_uri: `${PARTNER_REDIRECT}/x` })), 400, 415, 'invalid_grant')
      expectOAuthEnvelope(await exchange(app, exchangeForm(code)), 400, 415, 'invalid_grant')
      expect(reused).to.have.length(1)
    })

    it('burns a code for client A presented by an authenticated client B, then refuses A too', async () => {
      const { app, reused } = setup()
      const code = await captureCode(app)
      const res = await exchange(app, exchangeForm(code), { Authorization: captureBasic('crm', CRM_SECRET) })
      expectOAuthEnvelope(res, 400, 415, 'invalid_grant')
      expect(res.body.error_description).to.match(/another client/)
      expectOAuthEnvelope(await exchange(app, exchangeForm(code)), 400, 415, 'invalid_grant')
      expect(reused).to.have.length(1)
    })

    it('redeems only capture codes: an authorize code of the same client is burned and refused here', async () => {
      const { app, auth } = setup()
      const code = await issue(auth, { clientId: 'partner', redirectUri: PARTNER_REDIRECT, codeChallenge: undefined })
      expectOAuthEnvelope(await exchange(app, exchangeForm(code)), 400, 415, 'invalid_grant')
      const later = await request(app)
        .post(`${MOUNT}/token`)
        .set('Authorization', PARTNER)
        .type('form')
        .send(formText({ grant_type: 'authorization_code', code, redirect_uri: PARTNER_REDIRECT }))
      expect(later.body.error).to.equal('invalid_grant')
    })

    it('gives exactly one success to concurrent presentations of one code', async () => {
      const { app } = setup()
      const code = await captureCode(app)
      const answers = await Promise.all(Array.from({ length: 8 }, () => exchange(app, exchangeForm(code))))
      expect(answers.map((res) => res.status).sort()).to.deep.equal([200, 400, 400, 400, 400, 400, 400, 400])
    })

    it('exchanges a code issued for the caller itself (no for_client_id)', async () => {
      const { app } = setup()
      const code = await captureCode(app, { for_client_id: '', redirect_uri: CRM_REDIRECT })
      const res = await exchange(app, exchangeForm(code, { redirect_uri: CRM_REDIRECT }), {
        Authorization: captureBasic('crm', CRM_SECRET),
      })
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
    })
  })
})
