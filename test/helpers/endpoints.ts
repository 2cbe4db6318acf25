import { expect } from 'chai'
import fc from 'fast-check'
import type { AuthcodeRouter } from '../../lib/index.js'
import type { AuthcodeOptions } from '../../types/index.js'
import { baseOptions, issue, MOUNT, tokenForm, VERIFIER, WEB_REDIRECT } from './app.js'
import { basic, form, type HttpAnswer, type HttpRequest } from './http.js'

/** Secrets the apps built from {@link fullOptions} know; none may ever show up in output. */
export const SECRETS = { crmSecret: 'crm-secret-5b7e0c1d9a' } as const

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
    /** Parameter names the endpoint reads, each with plausible values, so fuzzing gets past the first check. */
    fields: Record<string, fc.Arbitrary<string>>
    /** Authorization header values worth trying besides random ones. */
    authorization: string[]
  }
}

/** Options with every endpoint mounted; the confidential client's secret is {@link SECRETS}. */
export function fullOptions(overrides: Partial<AuthcodeOptions> = {}): AuthcodeOptions {
  const base = baseOptions()
  return {
    ...base,
    clients: base.clients.map((c) => (c.secret === undefined ? c : { ...c, secret: SECRETS.crmSecret })),
    ...overrides,
  } as AuthcodeOptions
}

/** 503 problem+json, slug `store-unavailable`, with `Retry-After`. */
export function expectStoreUnavailableProblem(res: HttpAnswer): void {
  expect(res.status, res.text).to.equal(503)
  expect(res.headers['content-type']).to.match(/^application\/problem\+json/)
  expect(res.json?.type).to.match(/\/store-unavailable$/)
  expect(Number(res.headers['retry-after'])).to.be.greaterThan(0)
  expect(res.headers['cache-control']).to.equal('no-store')
}

/** Strings shaped like a code (so they reach the store) and anything else. */
const anyCode = fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64url')), fc.string())

/** The table. */
export const endpoints: Endpoint[] = [
  {
    name: 'POST /token',
    method: 'POST',
    path: '/token',
    usesStore: true,
    valid: async (auth) => ({ method: 'POST', path: `${MOUNT}/token`, ...form(tokenForm(await issue(auth))) }),
    expectSuccess: (res) => {
      expect(res.status, res.text).to.equal(200)
      expect(res.json?.access_token).to.be.a('string')
    },
    expectUnavailable: (res) => {
      expectStoreUnavailableProblem(res)
      expect(res.json?.error).to.equal('temporarily_unavailable')
    },
    hostile: {
      body: 'form',
      fields: {
        grant_type: fc.constantFrom('authorization_code', 'refresh_token', 'password', ''),
        code: anyCode,
        redirect_uri: fc.constantFrom(WEB_REDIRECT, `${WEB_REDIRECT}/x`, 'javascript:alert(1)'),
        client_id: fc.constantFrom('web', 'crm', 'nobody', '__proto__'),
        client_secret: fc.constantFrom(SECRETS.crmSecret, 'wrong'),
        code_verifier: fc.constantFrom(VERIFIER, 'short'),
      },
      authorization: [basic('crm', SECRETS.crmSecret), basic('crm', 'wrong'), basic('__proto__', 'x'), 'Basic %%%', 'Basic Og==', 'Bearer x'],
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
    hostile: { body: 'query', fields: { resource: fc.string() }, authorization: [] },
  },
]
