import { expect } from 'chai'
import fc from 'fast-check'
import type { AuthcodeRouter } from '../../lib/index.js'
import type { AuthcodeOptions } from '../../types/index.js'
import { CRM_REDIRECT, issue, MOUNT, tokenRequest, VERIFIER, WEB_REDIRECT } from './app.js'
import { codesOptions, codesRequest, SERVICE_TOKEN } from './codes.js'
import { authorizeQuery, locationParams } from './host-app.js'
import { mintToken } from './refresh.js'
import { captureBasic, form, oauthBasic, slugOf, withAuth, type HttpAnswer, type HttpRequest } from './http.js'

/** Secrets the apps built from {@link fullOptions} know; none may ever show up in output. */
export const SECRETS = { crmSecret: 'crm-secret-5b7e0c1d9a', serviceToken: SERVICE_TOKEN } as const

/**
 * Every endpoint of the router as one table entry, so that the outage, hostile-input and
 * secrets suites each cover all of them: a new endpoint is one more entry here.
 */
export interface Endpoint {
  name: string
  method: 'GET' | 'POST'
  /** Path under the mount point. */
  path: string
  /** Whether answering touches the code store (and so Redis). */
  usesStore: boolean
  /** A well-formed request the endpoint answers with success while the store works. */
  valid(auth: AuthcodeRouter): Promise<HttpRequest>
  expectSuccess(res: HttpAnswer): void
  /** This endpoint's way of saying "the store is unavailable, retry shortly". */
  expectUnavailable(res: HttpAnswer): void
  /** What hostile requests are built from: the body it reads and the parameters it knows. */
  hostile: {
    body: 'form' | 'json' | 'query'
    /**
     * Parameter names the endpoint reads, each with plausible values, so fuzzing gets past the
     * first check. Values are JSON texts for a JSON body, plain strings otherwise.
     */
    fields: Record<string, fc.Arbitrary<string>>
    /** Parameters sent only now and then (optional ones, or alternatives to a common one). */
    rare?: string[]
    /** Authorization header values worth trying besides random ones; the first is sent most often ('' = none). */
    authorization: string[]
  }
}

/** The request header that signs a user in to apps built from {@link fullOptions} (their `getUser`). */
export const USER_HEADER = 'x-test-user'

/** Options with every endpoint mounted; the confidential client's secret is {@link SECRETS}. */
export function fullOptions(overrides: Partial<AuthcodeOptions> = {}): AuthcodeOptions {
  const base = codesOptions()
  return {
    ...base,
    clients: base.clients.map((c) => (c.secret === undefined ? c : { ...c, secret: SECRETS.crmSecret })),
    loginUrl: '/login',
    consentUrl: '/consent',
    refreshTokens: true,
    dynamicRegistration: { perIp: false },
    getUser: (req) => req.get(USER_HEADER),
    findUser: ({ uuid, id, keyValue }) => ((uuid ?? id ?? keyValue ?? '') === 'nobody' ? null : `user-${uuid ?? id ?? keyValue}`),
    ...overrides,
  } as AuthcodeOptions
}

/** 503 problem+json, slug `store-unavailable`, with `Retry-After`. */
export function expectStoreUnavailableProblem(res: HttpAnswer): void {
  expect(res.status, res.text).to.equal(503)
  expect(res.headers['content-type']).to.match(/^application\/problem\+json/)
  expect(slugOf(res.json)).to.equal('store-unavailable')
  expect(Number(res.headers['retry-after'])).to.be.greaterThan(0)
  expect(res.headers['cache-control']).to.equal('no-store')
}

/** An OAuth endpoint's "store unavailable": the 503 problem, with `error: temporarily_unavailable` for OAuth clients. */
function expectOAuthUnavailable(res: HttpAnswer): void {
  expectStoreUnavailableProblem(res)
  expect(res.json?.error).to.equal('temporarily_unavailable')
}

/** Strings shaped like a code (so they reach the store) and anything else. */
function authorizeParam(name: string): string {
  return new URLSearchParams(authorizeQuery()).get(name) ?? ''
}

const anyCode = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64url')),
  fc.string(),
)

/** Mostly `good` (so a request gets past the first check), sometimes anything `bad` yields. */
export function mostly(good: string, bad: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(good) }, { weight: 1, arbitrary: bad })
}

const CAPTURE_USER = { uuid: 'f5b3c8a2-2d2c-4f6e-9a77-0b3f4b1d6c11', redirect_uri: CRM_REDIRECT }

/** The parameters and credentials hostile requests to getAuthorizationCode are built from, by either method. */
const CAPTURE_HOSTILE = {
  fields: {
    uuid: mostly(CAPTURE_USER.uuid, fc.constantFrom('nobody', '__proto__')),
    id: fc.constantFrom('1', '404', 'constructor'),
    key_attribute: fc.constantFrom('email', '__proto__'),
    key_value: fc.string(),
    type_name: fc.constantFrom('user', 'admin', 'prototype'),
    redirect_uri: mostly(CRM_REDIRECT, fc.constantFrom(WEB_REDIRECT, 'https://evil.example/cb')),
    for_client_id: fc.constantFrom('web', 'crm', 'nobody', '__proto__'),
    lifetime: mostly('1', fc.constantFrom('30', '900', '901', '0', '-1', '1e3', 'NaN')),
    transaction_state: fc.oneof(
      fc.json(),
      fc.constantFrom('{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '{'),
    ),
  },
  rare: ['id', 'key_attribute', 'key_value', 'type_name', 'for_client_id', 'transaction_state'],
  authorization: [
    captureBasic('crm', SECRETS.crmSecret),
    captureBasic('crm', 'wrong'),
    captureBasic('web', ''),
    'Signature crm:AAAA',
    'Signature :',
    'Basic %%%',
  ],
}

/** getAuthorizationCode's success, by either method. */
function expectCaptureCode(res: HttpAnswer): void {
  expect(res.status, res.text).to.equal(200)
  expect(res.json).to.include({ stat: 'ok' })
  expect(res.json?.authorizationCode).to.have.length(43)
}

/** A Capture route's "store unavailable": the envelope's code 500 with HTTP 503; `error` is its name for it. */
function expectCaptureUnavailable(res: HttpAnswer, error = 'unexpected_error'): void {
  expect(res.status, res.text).to.equal(503)
  expect(res.json).to.include({ stat: 'error', code: 500, error })
  expect(Number(res.headers['retry-after'])).to.be.greaterThan(0)
  expect(res.headers['cache-control']).to.equal('no-store')
}

/** The table. */
export const endpoints: Endpoint[] = [
  {
    name: 'POST /codes',
    method: 'POST',
    path: '/codes',
    usesStore: true,
    valid: async () => codesRequest({ external_user_id: 'user-42', integration_context: { campaign: 'spring' } }),
    expectSuccess: (res) => {
      expect(res.status, res.text).to.equal(201)
      expect(res.json?.code).to.have.length(43)
      expect(res.headers['cache-control']).to.equal('no-store')
    },
    expectUnavailable: expectStoreUnavailableProblem,
    hostile: {
      body: 'json',
      fields: {
        external_user_id: fc
          .oneof(fc.string({ maxLength: 200, unit: 'grapheme' }), fc.constantFrom('__proto__', 'constructor'))
          .map((v) => JSON.stringify(v)),
        ttl: mostly('60', fc.constantFrom('900', '59', '901', '1.5', '"300"', 'null', '1e400')),
        integration_context: mostly(
          '{}',
          fc.constantFrom('{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '[]', '"x"'),
        ),
      },
      authorization: [`Bearer ${SERVICE_TOKEN}`, 'Bearer svc-token-read-0123456789', 'Bearer ', 'Bearer a b', 'Basic Og=='],
    },
  },
  {
    name: 'GET /authorize',
    method: 'GET',
    path: '/authorize',
    usesStore: true,
    valid: async () => ({ method: 'GET', path: `${MOUNT}/authorize?${authorizeQuery()}`, headers: { [USER_HEADER]: 'user-42' } }),
    expectSuccess: (res) => {
      expect(res.status, res.text).to.equal(303)
      expect(locationParams(res.headers.location).get('code')).to.have.length(43)
    },
    // The per-IP limit fails before the client is verified (a 503 here); past that a 5xx cannot
    // travel in a redirect, and RFC 6749 §4.1.2.1 has temporarily_unavailable for it.
    expectUnavailable: (res) => {
      if (res.status === 503) return expectStoreUnavailableProblem(res)
      expect(res.status, res.text).to.equal(303)
      expect(res.headers.location).to.match(new RegExp(`^${WEB_REDIRECT}\\?`))
      expect(locationParams(res.headers.location).get('error')).to.equal('temporarily_unavailable')
      expect(res.headers['cache-control']).to.equal('no-store')
    },
    hostile: {
      body: 'query',
      fields: {
        response_type: mostly('code', fc.constantFrom('token', 'code id_token')),
        client_id: mostly('web', fc.constantFrom('crm', 'nobody', '__proto__', 'constructor')),
        redirect_uri: mostly(
          WEB_REDIRECT,
          fc.constantFrom(`${WEB_REDIRECT}?x=1`, 'https://evil.example/cb', '//evil.example', 'javascript:alert(1)'),
        ),
        scope: mostly('openid', fc.constantFrom('openid profile', 'admin', '')),
        state: fc.string(),
        code_challenge: mostly(authorizeParam('code_challenge'), fc.constantFrom('short', 'x'.repeat(200))),
        code_challenge_method: mostly('S256', fc.constantFrom('plain')),
        prompt: fc.constantFrom('none', 'login'),
      },
      rare: ['prompt'],
      authorization: [''],
    },
  },
  {
    name: 'POST /access/getAuthorizationCode',
    method: 'POST',
    path: '/access/getAuthorizationCode',
    usesStore: true,
    valid: async () => ({
      method: 'POST',
      path: `${MOUNT}/access/getAuthorizationCode`,
      ...withAuth(form(CAPTURE_USER), captureBasic('crm', SECRETS.crmSecret)),
    }),
    expectSuccess: expectCaptureCode,
    expectUnavailable: expectCaptureUnavailable,
    hostile: { ...CAPTURE_HOSTILE, body: 'form' },
  },
  {
    name: 'GET /access/getAuthorizationCode',
    method: 'GET',
    path: '/access/getAuthorizationCode',
    usesStore: true,
    valid: async () => ({
      method: 'GET',
      path: `${MOUNT}/access/getAuthorizationCode?${new URLSearchParams(CAPTURE_USER).toString()}`,
      headers: { authorization: captureBasic('crm', SECRETS.crmSecret) },
    }),
    expectSuccess: expectCaptureCode,
    expectUnavailable: expectCaptureUnavailable,
    hostile: { ...CAPTURE_HOSTILE, body: 'query' },
  },
  {
    name: 'POST /token',
    method: 'POST',
    path: '/token',
    usesStore: true,
    valid: async (auth) => tokenRequest(await issue(auth)),
    expectSuccess: (res) => {
      expect(res.status, res.text).to.equal(200)
      expect(res.json?.access_token).to.be.a('string')
    },
    expectUnavailable: expectOAuthUnavailable,
    hostile: {
      body: 'form',
      fields: {
        grant_type: mostly('authorization_code', fc.constantFrom('refresh_token', 'password', '')),
        code: anyCode,
        refresh_token: anyCode,
        scope: fc.constantFrom('openid', 'openid profile', 'admin', ''),
        redirect_uri: mostly(WEB_REDIRECT, fc.constantFrom(`${WEB_REDIRECT}/x`, 'javascript:alert(1)')),
        client_id: mostly('web', fc.constantFrom('crm', 'nobody', '__proto__')),
        client_secret: fc.constantFrom(SECRETS.crmSecret, 'wrong'),
        code_verifier: mostly(VERIFIER, fc.constantFrom('short')),
      },
      rare: ['client_secret', 'refresh_token', 'scope'],
      authorization: [
        '',
        oauthBasic('crm', SECRETS.crmSecret),
        oauthBasic('crm', 'wrong'),
        oauthBasic('__proto__', 'x'),
        'Basic %%%',
        'Basic Og==',
        'Bearer x',
      ],
    },
  },
  {
    name: 'POST /oauth/token',
    method: 'POST',
    path: '/oauth/token',
    usesStore: true,
    valid: async (auth) => {
      const code = await issue(auth, {
        kind: 'capture',
        clientId: 'crm',
        redirectUri: CRM_REDIRECT,
        scope: undefined,
        codeChallenge: undefined,
      })
      const params = { grant_type: 'authorization_code', code, redirect_uri: CRM_REDIRECT }
      return { method: 'POST', path: `${MOUNT}/oauth/token`, ...withAuth(form(params), captureBasic('crm', SECRETS.crmSecret)) }
    },
    expectSuccess: (res) => {
      expect(res.status, res.text).to.equal(200)
      expect(res.json).to.include({ stat: 'ok' })
      expect(res.json?.access_token).to.be.a('string')
    },
    expectUnavailable: (res) => expectCaptureUnavailable(res, 'temporarily_unavailable'),
    hostile: {
      body: 'form',
      fields: {
        grant_type: mostly('authorization_code', fc.constantFrom('refresh_token', '')),
        code: anyCode,
        refresh_token: anyCode,
        redirect_uri: mostly(CRM_REDIRECT, fc.constantFrom(`${CRM_REDIRECT}/x`, 'javascript:alert(1)')),
        client_id: fc.constantFrom('crm', 'web', 'nobody', '__proto__'),
        client_secret: fc.constantFrom(SECRETS.crmSecret, 'wrong'),
      },
      rare: ['client_id', 'client_secret', 'refresh_token'],
      authorization: [
        captureBasic('crm', SECRETS.crmSecret),
        '',
        captureBasic('crm', 'wrong'),
        'Signature crm:AAAA',
        'Signature :',
        'Basic %%%',
        'Bearer x',
      ],
    },
  },
  {
    name: 'POST /revoke',
    method: 'POST',
    path: '/revoke',
    usesStore: true,
    valid: async (auth) => ({ method: 'POST', path: `${MOUNT}/revoke`, ...form({ token: await mintToken(auth), client_id: 'web' }) }),
    expectSuccess: (res) => {
      expect(res.status, res.text).to.equal(200)
      expect(res.text).to.equal('')
    },
    expectUnavailable: expectOAuthUnavailable,
    hostile: {
      body: 'form',
      fields: {
        token: anyCode,
        token_type_hint: fc.constantFrom('refresh_token', 'access_token', '__proto__'),
        client_id: mostly('web', fc.constantFrom('crm', 'nobody', '__proto__')),
        client_secret: fc.constantFrom(SECRETS.crmSecret, 'wrong'),
      },
      rare: ['token_type_hint', 'client_secret'],
      authorization: ['', oauthBasic('crm', SECRETS.crmSecret), oauthBasic('crm', 'wrong'), 'Basic %%%', 'Bearer x'],
    },
  },
  {
    name: 'POST /par',
    method: 'POST',
    path: '/par',
    usesStore: true,
    valid: async () => ({ method: 'POST', path: `${MOUNT}/par`, ...form(Object.fromEntries(new URLSearchParams(authorizeQuery()))) }),
    expectSuccess: (res) => {
      expect(res.status, res.text).to.equal(201)
      expect(res.json?.request_uri).to.match(/^urn:ietf:params:oauth:request_uri:/)
      expect(res.headers['cache-control']).to.equal('no-store')
    },
    expectUnavailable: expectOAuthUnavailable,
    hostile: {
      body: 'form',
      fields: {
        client_id: mostly('web', fc.constantFrom('crm', 'nobody', '__proto__')),
        response_type: mostly('code', fc.constantFrom('token', '')),
        redirect_uri: mostly(WEB_REDIRECT, fc.constantFrom(CRM_REDIRECT, 'https://evil.example/cb', 'javascript:alert(1)')),
        scope: mostly('openid', fc.constantFrom('admin', 'openid openid', '')),
        state: fc.string(),
        code_challenge: mostly(authorizeParam('code_challenge'), fc.string()),
        code_challenge_method: mostly('S256', fc.constantFrom('plain', '')),
        resource: fc.constantFrom('https://api.example.com/', 'not a uri', 'https://a.example/#f'),
        request_uri: fc.constantFrom('urn:ietf:params:oauth:request_uri:x'),
        dpop_jkt: fc.oneof(fc.string(), fc.constant('A'.repeat(43))),
        client_secret: fc.constantFrom(SECRETS.crmSecret, 'wrong'),
      },
      rare: ['resource', 'request_uri', 'dpop_jkt', 'client_secret'],
      authorization: ['', oauthBasic('crm', SECRETS.crmSecret), oauthBasic('crm', 'wrong'), 'Basic %%%'],
    },
  },
  {
    name: 'POST /register',
    method: 'POST',
    path: '/register',
    usesStore: true,
    valid: async () => ({
      method: 'POST',
      path: `${MOUNT}/register`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1/callback'], client_name: 'CLI' }),
    }),
    expectSuccess: (res) => {
      expect(res.status, res.text).to.equal(201)
      expect(res.json?.client_id).to.match(/^reg-/)
      expect(res.headers['cache-control']).to.equal('no-store')
    },
    expectUnavailable: expectOAuthUnavailable,
    hostile: {
      body: 'json',
      fields: {
        redirect_uris: mostly('["http://127.0.0.1/callback"]', fc.constantFrom('[]', '"x"', '["http://evil.example/cb"]', '[1]', 'null')),
        client_name: fc.oneof(fc.json(), fc.constant('"__proto__"')),
        scope: fc.constantFrom('"openid"', '"admin openid"', '1', '"a\\"b"'),
        token_endpoint_auth_method: fc.constantFrom('"none"', '"client_secret_basic"', '{}'),
        grant_types: fc.constantFrom('["authorization_code"]', '["implicit"]', '"x"'),
        logo_uri: fc.constantFrom('"https://a.example/l.png"', '"javascript:x"', '[]'),
      },
      rare: ['scope', 'token_endpoint_auth_method', 'grant_types', 'logo_uri'],
      authorization: ['', 'Bearer x'],
    },
  },
  {
    name: 'GET /.well-known/oauth-authorization-server',
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    usesStore: false,
    valid: async () => ({ method: 'GET', path: `${MOUNT}/.well-known/oauth-authorization-server` }),
    expectSuccess: (res) => {
      expect(res.status).to.equal(200)
      expect(res.json?.issuer).to.be.a('string')
    },
    expectUnavailable: () => {
      throw new Error('metadata does not use the store')
    },
    hostile: { body: 'query', fields: { resource: fc.string() }, authorization: [''] },
  },
]
