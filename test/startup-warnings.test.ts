import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { createClient } from 'redis'
import { authcode, AuthcodeOptionsError, MemoryStore } from '../lib/index.js'
import { STORE_METHODS } from '../lib/stores/store-methods.js'
import type { AuthcodeOptions } from '../types/index.js'
import { baseOptions, MOUNT } from './helpers/app.js'
import { codesOptions } from './helpers/codes.js'

/** A logger that keeps what it is told. */
function recordingLogger() {
  const warnings: Array<{ fields: Record<string, unknown>; message: string | undefined }> = []
  return {
    warnings,
    logger: {
      error: () => undefined,
      warn: (fields: object, message?: string) => void warnings.push({ fields: fields as Record<string, unknown>, message }),
    },
  }
}

describe('start-up warnings', () => {
  const store = new MemoryStore()
  after(() => store.close())

  it('names each endpoint the options imply but the router does not mount, once, at authcode()', () => {
    const { warnings, logger } = recordingLogger()
    authcode(baseOptions({ store, logger, issueTokens: undefined }))
    expect(warnings.map((w) => w.message)).to.deep.equal([
      'express-authcode: the options imply an endpoint that is not mounted',
      'express-authcode: the options imply an endpoint that is not mounted',
    ])
    expect(warnings.map((w) => w.fields)).to.deep.equal([
      { endpoint: 'GET /authorize', clients: ['web'], fix: 'give "loginUrl" or "getUser"' },
      { endpoint: 'POST /access/getAuthorizationCode', clients: ['crm'], fix: 'give "findUser"' },
    ])
  })

  it('warns that /token is missing when /authorize is mounted without issueTokens', () => {
    const { warnings, logger } = recordingLogger()
    authcode(baseOptions({ store, logger, loginUrl: '/login', findUser: () => null, issueTokens: undefined }))
    expect(warnings.map((w) => w.fields.endpoint)).to.deep.equal(['POST /token'])
  })

  it("says nothing for a Capture migration's clients: a code's receiver registers redirect URIs without implying /authorize", () => {
    const { warnings, logger } = recordingLogger()
    const clients = [
      { id: 'crm', secret: 'crm-secret-0123456789', captureRoles: ['access_issuer' as const] },
      { id: 'shop', secret: 'shop-secret-0123456789', redirectUris: ['https://shop.example.com/oauth'] },
    ]
    authcode(baseOptions({ store, logger, clients, findUser: () => null }))
    expect(warnings).to.deep.equal([])
    authcode(
      baseOptions({
        store,
        logger,
        clients: [...clients, { id: 'spa', redirectUris: ['https://spa.example.com/cb'], scopes: ['openid'] }],
        findUser: () => null,
      }),
    )
    expect(warnings.map((w) => w.fields)).to.deep.equal([
      { endpoint: 'GET /authorize', clients: ['spa'], fix: 'give "loginUrl" or "getUser"' },
    ])
  })

  it('says nothing when every configured endpoint is mounted', () => {
    const { warnings, logger } = recordingLogger()
    authcode(baseOptions({ store, logger, loginUrl: '/login', findUser: () => null }))
    expect(warnings).to.deep.equal([])
  })

  it('requires atRestKey with redis or a store of its own, naming the option and a command that makes a key', () => {
    const redis = createClient()
    const otherStore = Object.assign(Object.create(null) as object, Object.fromEntries(STORE_METHODS.map((m) => [m, () => undefined])))
    for (const options of [{ redis }, { store: otherStore }]) {
      expect(() => authcode(baseOptions({ atRestKey: undefined, ...options } as Partial<AuthcodeOptions>)))
        .to.throw(AuthcodeOptionsError, /"atRestKey" is required .*randomBytes\(32\).*atRestKey: false opts out/)
        .with.property('code', 'ERR_AUTHCODE_OPTION_MISSING')
    }
    expect(() => authcode(baseOptions({ atRestKey: false, redis, logger: recordingLogger().logger }))).not.to.throw()
  })

  it('needs no atRestKey on a MemoryStore, and says nothing about it there, passcodes or not', () => {
    const { warnings, logger } = recordingLogger()
    authcode(codesOptions({ store, logger, loginUrl: '/login', findUser: () => null, atRestKey: undefined }))
    expect(warnings).to.deep.equal([])
  })

  it('warns exactly once, naming the fix, when the host opts out with atRestKey: false', () => {
    const { warnings, logger } = recordingLogger()
    authcode(codesOptions({ store, logger, loginUrl: '/login', findUser: () => null, atRestKey: false }))
    expect(warnings.map((w) => w.message)).to.deep.equal(['express-authcode: atRestKey: false, what the store keeps is not keyed'])
    expect(warnings[0]?.fields).to.include({ option: 'atRestKey' })
    expect(String(warnings[0]?.fields.fix)).to.include('randomBytes(32)')
  })

  const proxied = (options: Partial<AuthcodeOptions>, trustProxy: boolean) => {
    const app = express()
    if (trustProxy) app.set('trust proxy', 1)
    app.use(MOUNT, authcode(baseOptions({ store, loginUrl: '/login', findUser: () => null, ...options })))
    return app
  }

  it('warns once when requests come through a proxy while trust proxy is off', async () => {
    const { warnings, logger } = recordingLogger()
    const app = proxied({ logger }, false)
    await request(app).get(`${MOUNT}/.well-known/oauth-authorization-server`).expect(200)
    expect(warnings).to.deep.equal([])
    for (let i = 0; i < 3; i++) {
      await request(app).get(`${MOUNT}/.well-known/oauth-authorization-server`).set('X-Forwarded-For', `203.0.113.${i}`).expect(200)
    }
    expect(warnings).to.have.length(1)
    expect(warnings[0]?.message).to.match(/through a proxy Express does not trust/)
    expect(warnings[0]?.fields).to.include({ header: 'X-Forwarded-For', setting: 'trust proxy' })
  })

  it('says nothing about the proxy when trust proxy is set', async () => {
    const { warnings, logger } = recordingLogger()
    const app = proxied({ logger }, true)
    await request(app).get(`${MOUNT}/.well-known/oauth-authorization-server`).set('X-Forwarded-For', '203.0.113.9').expect(200)
    expect(warnings).to.deep.equal([])
  })
})
