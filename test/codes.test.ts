import { expect } from 'chai'
import Joi from 'joi'
import Joi17 from 'joi17'
import * as v from 'valibot'
import { z } from 'zod'
import request from 'supertest'
import type { AuthcodeEvent, AuthcodeOptions } from '../types/index.js'
import { buildApp, CRM_SECRET, MOUNT } from './helpers/app.js'
import { codesOptions, postCodes, READ_ONLY_TOKEN, SERVICE_TOKEN } from './helpers/codes.js'
import { slugOf } from './helpers/http.js'
import { useTestRedis } from './helpers/redis.js'

describe('POST /codes', () => {
  const redis = useTestRedis()

  const app = (overrides: Partial<AuthcodeOptions> = {}) =>
    buildApp(codesOptions({ redis: redis.client, keyPrefix: redis.prefix, ...overrides }))
  const withVerifier = (verifyAccessToken: AuthcodeOptions['verifyAccessToken']) => {
    const { accessTokens: _static, ...options } = codesOptions({ redis: redis.client, keyPrefix: redis.prefix })
    return buildApp({ ...options, verifyAccessToken })
  }

  describe('service authentication', () => {
    it('answers 401 with a Bearer realm challenge when no token is sent', async () => {
      const res = await request(app().app).post(`${MOUNT}/codes`).send({ external_user_id: 'u1' })
      expect(res.status).to.equal(401)
      expect(slugOf(res.body)).to.equal('unauthorized')
      expect(res.headers['www-authenticate']).to.match(/^Bearer realm="[^"]+"$/)
    })

    it('answers 401 invalid_token for an unknown token', async () => {
      const res = await postCodes(app().app, { external_user_id: 'u1' }, { Authorization: 'Bearer not-a-known-token' })
      expect(res.status).to.equal(401)
      expect(slugOf(res.body)).to.equal('unauthorized')
      expect(res.headers['www-authenticate']).to.match(/^Bearer realm="[^"]+", error="invalid_token"/)
    })

    it('answers 403 insufficient_scope naming codes:issue for a token without that scope', async () => {
      const res = await postCodes(app().app, { external_user_id: 'u1' }, { Authorization: `Bearer ${READ_ONLY_TOKEN}` })
      expect(res.status).to.equal(403)
      expect(slugOf(res.body)).to.equal('insufficient-scope')
      expect(res.headers['www-authenticate']).to.include('error="insufficient_scope", scope="codes:issue"')
    })

    it('answers 400 invalid_request for a malformed Bearer header', async () => {
      const res = await postCodes(app().app, { external_user_id: 'u1' }, { Authorization: 'Bearer two words' })
      expect(res.status).to.equal(400)
      expect(res.headers['www-authenticate']).to.include('error="invalid_request"')
    })

    it('accepts whatever verifyAccessToken vouches for, as the client it names', async () => {
      const seen: string[] = []
      const { app: host, auth } = withVerifier((token) => (token === 'hook-token' ? { clientId: 'web', scopes: ['codes:issue'] } : null))
      auth.on('authorization.CodeIssued', ({ data }) => void seen.push(data.clientId))
      expect((await postCodes(host, { external_user_id: 'u1' }, { Authorization: 'Bearer hook-token' })).status).to.equal(201)
      expect((await postCodes(host, { external_user_id: 'u1' }, { Authorization: 'Bearer other' })).status).to.equal(401)
      expect(seen).to.deep.equal(['web'])
    })

    it('answers 401 invalid_token when the token belongs to no registered client', async () => {
      const { app: host } = withVerifier(() => ({ clientId: 'stranger', scopes: ['codes:issue'] }))
      const res = await postCodes(host, { external_user_id: 'u1' }, { Authorization: 'Bearer anything' })
      expect(res.status).to.equal(401)
      expect(res.headers['www-authenticate']).to.include('error="invalid_token"')
    })
  })

  describe('request body', () => {
    it('answers 415 unsupported-media-type for a body that is not application/json', async () => {
      const res = await postCodes(app().app, 'external_user_id=u1', { 'Content-Type': 'application/x-www-form-urlencoded' })
      expect(res.status).to.equal(415)
      expect(slugOf(res.body)).to.equal('unsupported-media-type')
    })

    for (const charset of ['utf-16', 'utf-7', 'latin1']) {
      it(`answers 415 unsupported-media-type for a JSON body in charset ${charset}`, async () => {
        const res = await postCodes(app().app, '{"external_user_id":"u1"}', { 'Content-Type': `application/json; charset=${charset}` })
        expect(res.status).to.equal(415)
        expect(slugOf(res.body)).to.equal('unsupported-media-type')
      })
    }

    it('answers 413 payload-too-large for a body over 16 KiB', async () => {
      const res = await postCodes(app().app, { external_user_id: 'u1', integration_context: { pad: 'x'.repeat(17 * 1024) } })
      expect(res.status).to.equal(413)
      expect(slugOf(res.body)).to.equal('payload-too-large')
    })

    it('answers 400 malformed-json for a body that is not JSON', async () => {
      const res = await postCodes(app().app, '{"external_user_id": "u1",', { 'Content-Type': 'application/json' })
      expect(res.status).to.equal(400)
      expect(slugOf(res.body)).to.equal('malformed-json')
    })

    it('refuses unknown top-level fields, pointing at each', async () => {
      const res = await postCodes(app().app, { external_user_id: 'u1', scope: 'admin', 'a/b': 1 })
      expect(res.status).to.equal(400)
      expect(slugOf(res.body)).to.equal('validation-error')
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).to.deep.equal(['#/scope', '#/a~1b'])
    })

    it('lists every fault in errors[] with a JSON pointer', async () => {
      const res = await postCodes(app().app, { ttl: 30, integration_context: 'fr' })
      expect(res.status).to.equal(400)
      expect(slugOf(res.body)).to.equal('validation-error')
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).to.have.members([
        '#/external_user_id',
        '#/ttl',
        '#/integration_context',
      ])
      for (const error of res.body.errors) expect(error.detail).to.be.a('string').with.length.above(0)
    })

    it('refuses an external_user_id that is empty or longer than 128 characters', async () => {
      const { app: host } = app()
      expect((await postCodes(host, { external_user_id: '' })).status).to.equal(400)
      expect((await postCodes(host, { external_user_id: 'x'.repeat(129) })).body.errors[0].pointer).to.equal('#/external_user_id')
      expect((await postCodes(host, { external_user_id: 'x'.repeat(128) })).status).to.equal(201)
    })

    it('refuses a ttl that is below 60, above 900, fractional or a string', async () => {
      const { app: host } = app()
      for (const ttl of [59, 901, 120.5, '300']) {
        const res = await postCodes(host, { external_user_id: 'u1', ttl })
        expect(res.status, String(ttl)).to.equal(400)
        expect(res.body.errors[0].pointer).to.equal('#/ttl')
      }
    })

    it('refuses an integration_context over 8 KiB of JSON', async () => {
      const res = await postCodes(app().app, { external_user_id: 'u1', integration_context: { pad: 'x'.repeat(8 * 1024) } })
      expect(res.status).to.equal(400)
      expect(res.body.errors[0].pointer).to.equal('#/integration_context')
    })

    it('refuses a body that is not a JSON object', async () => {
      const res = await postCodes(app().app, '["u1"]', { 'Content-Type': 'application/json' })
      expect(res.status).to.equal(400)
      expect(res.body.errors[0].pointer).to.equal('#')
    })
  })

  describe('201 Created', () => {
    it('answers code, expires_in, expires_at and external_user_id exactly as sent, with no-store', async () => {
      const externalUserId = '  Zoë+tag@Example.COM \u{1F600} '
      const before = Date.now()
      const res = await postCodes(app().app, { external_user_id: externalUserId, ttl: 120 })
      expect(res.status).to.equal(201)
      expect(res.headers['cache-control']).to.equal('no-store')
      expect(res.body).to.have.all.keys('code', 'expires_in', 'expires_at', 'external_user_id')
      expect(res.body.code).to.match(/^[A-Za-z0-9_-]{43}$/)
      expect(res.body.external_user_id).to.equal(externalUserId)
      expect(res.body.expires_in).to.equal(120)
      const expiresAt = Date.parse(res.body.expires_at)
      expect(new Date(expiresAt).toISOString()).to.equal(res.body.expires_at)
      expect(expiresAt).to.be.within(before + 120_000, Date.now() + 120_000)
    })

    it('defaults ttl to 300 seconds', async () => {
      const res = await postCodes(app().app, { external_user_id: 'u1' })
      expect(res.body.expires_in).to.equal(300)
    })

    it('adds magic_link when magicLinkUrl is set, keeping the query of that URL', async () => {
      const res = await postCodes(app({ magicLinkUrl: 'https://shop.example.com/login/magic?lang=fr' }).app, { external_user_id: 'u1' })
      const link = new URL(res.body.magic_link)
      expect(`${link.origin}${link.pathname}`).to.equal('https://shop.example.com/login/magic')
      expect(link.searchParams.get('lang')).to.equal('fr')
      expect(link.searchParams.get('code')).to.equal(res.body.code)
    })

    it('issues a code auth.redeem() resolves once to a magic_link grant for the subject, with its integration_context', async () => {
      const { app: host, auth } = app()
      const res = await postCodes(host, {
        external_user_id: 'user-7',
        integration_context: { campaign: 'spring', nested: [1, { a: null }] },
      })
      const grant = await auth.redeem(res.body.code, { kind: 'magic_link' })
      expect(grant).to.include({ kind: 'magic_link', subject: 'user-7', clientId: 'crm' })
      expect(grant.integrationContext).to.deep.equal({ campaign: 'spring', nested: [1, { a: null }] })
      await auth.redeem(res.body.code, { kind: 'magic_link' }).then(
        () => expect.fail('redeemed twice'),
        (err: Error) => expect(err.name).to.equal('InvalidGrantError'),
      )
    })

    it('fires authorization.CodeIssued with the code and magic link before it responds', async () => {
      const { app: host, auth } = app({ magicLinkUrl: 'https://shop.example.com/magic' })
      const events: AuthcodeEvent<'authorization.CodeIssued'>[] = []
      let responded = false
      auth.on('authorization.CodeIssued', async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 30))
        expect(responded).to.equal(false)
        events.push(event)
      })
      const res = await postCodes(host, { external_user_id: 'u1', integration_context: { a: 1 } })
      responded = true
      expect(events).to.have.length(1)
      expect(events[0]?.data).to.include({
        code: res.body.code,
        kind: 'magic_link',
        subject: 'u1',
        clientId: 'crm',
        magicLink: res.body.magic_link,
      })
      expect(events[0]?.data.integrationContext).to.deep.equal({ a: 1 })
    })
  })

  const integrationSchemas = {
    'Joi 18': Joi.object({ locale: Joi.string().valid('fr', 'de'), list_id: Joi.number().integer() }),
    'Joi 17': Joi17.object({ locale: Joi17.string().valid('fr', 'de'), list_id: Joi17.number().integer() }),
    'zod (Standard Schema)': z.object({ locale: z.enum(['fr', 'de']).optional(), list_id: z.number().int().optional() }),
    'valibot (Standard Schema)': v.object({
      locale: v.optional(v.picklist(['fr', 'de'])),
      list_id: v.optional(v.pipe(v.number(), v.integer())),
    }),
  }

  for (const [name, schema] of Object.entries(integrationSchemas))
    describe(`integration_context checked by a ${name} schema`, () => {
      const withIntegration = () =>
        app({
          clients: [
            { id: 'web', redirectUris: ['https://shop.example.com/callback'] },
            { id: 'crm', secret: CRM_SECRET, integration: 'newsletter' },
          ],
          integrations: { newsletter: { schema } },
        })

      it('validates the keys the client integration knows and keeps other keys untouched', async () => {
        const { app: host, auth } = withIntegration()
        const context = { locale: 'fr', list_id: 7, unknown: { deep: ['x', 1, true] }, Locale: 'not checked' }
        const res = await postCodes(host, { external_user_id: 'u1', integration_context: context })
        expect(res.status).to.equal(201)
        expect((await auth.redeem(res.body.code, { kind: 'magic_link' })).integrationContext).to.deep.equal(context)
      })

      it('refuses known keys the integration schema rejects, pointing into integration_context', async () => {
        const res = await postCodes(withIntegration().app, {
          external_user_id: 'u1',
          integration_context: { locale: 'xx', list_id: 'seven', other: 1 },
        })
        expect(res.status).to.equal(400)
        expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).to.have.members([
          '#/integration_context/locale',
          '#/integration_context/list_id',
        ])
      })

      it('does not apply one client integration to another client', async () => {
        const { app: host } = withIntegration()
        const res = await postCodes(
          host,
          { external_user_id: 'u1', integration_context: { locale: 'xx' } },
          { Authorization: `Bearer ${SERVICE_TOKEN.replace('crm', 'web')}` },
        )
        expect(res.status).to.equal(201)
      })
    })
})
