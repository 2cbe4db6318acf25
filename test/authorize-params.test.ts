import { createHash } from 'node:crypto'
import { expect } from 'chai'
import express, { type Express } from 'express'
import request from 'supertest'
import type { Grant } from '../types/index.js'
import { MOUNT, VERIFIER, WEB_REDIRECT } from './helpers/app.js'
import { authorizeQuery, hostApp, locationParams, signedIn } from './helpers/host-app.js'

const AUTHORIZE = `${MOUNT}/authorize`
const API = 'https://api.example.com/mcp'
const FILES = 'https://files.example.com/'

/** Exchanges a code of the `web` client at /token; `extra` adds form parameters. */
const exchange = (app: Express, code: string, extra: Record<string, string> = {}) =>
  request(app)
    .post(`${MOUNT}/token`)
    .type('form')
    .send({ grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, client_id: 'web', code_verifier: VERIFIER, ...extra })

describe('GET /authorize state', () => {
  it('redirects with error=invalid_request when state is missing and requireState is on (the default)', async () => {
    const { app } = hostApp()
    const agent = await signedIn(app)
    const res = await agent.get(`${AUTHORIZE}?${authorizeQuery({ state: undefined })}`).expect(303)
    expect(locationParams(res.headers.location).get('error')).to.equal('invalid_request')
  })

  it('issues without state when requireState is false, as a PKCE client relying on PKCE for CSRF does', async () => {
    const { app } = hostApp({ requireState: false })
    const agent = await signedIn(app)
    const res = await agent.get(`${AUTHORIZE}?${authorizeQuery({ state: undefined })}`).expect(303)
    const params = locationParams(res.headers.location)
    expect(params.get('code')).to.have.length(43)
    expect(params.has('state')).to.equal(false)
    expect((await exchange(app, params.get('code') as string)).status).to.equal(200)
  })
})

describe('GET /authorize code_challenge', () => {
  for (const [what, challenge] of [
    ['44 characters', 'A'.repeat(44)],
    ['128 characters', 'A'.repeat(128)],
    ['42 characters', 'A'.repeat(42)],
    ['characters outside base64url', `${'A'.repeat(42)}~`],
  ]) {
    it(`redirects with error=invalid_request for an S256 challenge of ${what}, which no verifier could match`, async () => {
      const { app } = hostApp()
      const agent = await signedIn(app)
      const res = await agent.get(`${AUTHORIZE}?${authorizeQuery({ code_challenge: challenge })}`).expect(303)
      expect(locationParams(res.headers.location).get('error')).to.equal('invalid_request')
    })
  }
})

describe('GET /authorize error page of the host', () => {
  it('renders the host page, with the status and security headers, for an unknown client when the browser wants HTML', async () => {
    const seen: Array<{ status: number; code: string }> = []
    const { app } = hostApp({
      renderErrorPage: (error, _req, res) => {
        seen.push({ status: error.status, code: error.code })
        res.type('html').send(`<h1>Shop sign-in</h1><p>${error.description}</p>`)
      },
    })
    const res = await request(app)
      .get(`${AUTHORIZE}?${authorizeQuery({ client_id: 'nobody' })}`)
      .set('Accept', 'text/html')
      .expect(400)
    expect(res.text).to.include('<h1>Shop sign-in</h1>')
    expect(res.headers.location).to.equal(undefined)
    expect(res.headers['x-frame-options']).to.equal('DENY')
    expect(res.headers['cache-control']).to.equal('no-store')
    expect(seen).to.deep.equal([{ status: 400, code: 'validation-error' }])
  })

  it("shows the host page under the host's own CSP, framing still refused, so that its stylesheet loads", async () => {
    const { auth } = hostApp({
      renderErrorPage: (_error, _req, res) => void res.type('html').send('<link rel="stylesheet" href="/shop.css"><h1>Shop</h1>'),
    })
    const app = express()
    app.use((_req, res, next) => {
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'self'")
      next()
    })
    app.use(MOUNT, auth)
    const res = await request(app)
      .get(`${AUTHORIZE}?${authorizeQuery({ client_id: 'nobody' })}`)
      .set('Accept', 'text/html')
      .expect(400)
    expect(res.headers['content-security-policy']).to.equal("default-src 'none'; style-src 'self', frame-ancestors 'none'")
  })

  it('gives the built-in page readable type under a CSP that allows only its own inline style', async () => {
    const { app } = hostApp()
    const res = await request(app)
      .get(`${AUTHORIZE}?${authorizeQuery({ client_id: 'nobody' })}`)
      .set('Accept', 'text/html')
      .expect(400)
    const style = /<style>(.*)<\/style>/.exec(res.text)?.[1] ?? ''
    expect(style).to.include('font:16px/1.5')
    const hash = createHash('sha256').update(style).digest('base64')
    expect(res.headers['content-security-policy']).to.equal(
      `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; frame-ancestors 'none'`,
    )
  })

  it('falls back to the built-in page when the host page throws, and logs the failure', async () => {
    const logged: string[] = []
    const { app } = hostApp({
      renderErrorPage: async () => {
        throw new Error('template missing')
      },
      logger: { error: (_fields, message) => void logged.push(String(message)), warn: () => undefined },
    })
    const res = await request(app)
      .get(`${AUTHORIZE}?${authorizeQuery({ client_id: 'nobody' })}`)
      .set('Accept', 'text/html')
      .expect(400)
    expect(res.headers['content-type']).to.match(/^text\/html/)
    expect(res.text).to.include('Go back to the application you came from')
    expect(logged).to.deep.equal(['express-authcode: the host error page failed'])
  })

  it('keeps answering problem+json to a client that does not prefer HTML', async () => {
    const { app } = hostApp({ renderErrorPage: () => expect.fail('rendered the page') })
    const res = await request(app)
      .get(`${AUTHORIZE}?${authorizeQuery({ client_id: 'nobody' })}`)
      .expect(400)
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/)
  })
})

describe('RFC 8707 resource indicators', () => {
  const withResources = (resources?: string[]) =>
    hostApp({
      clients: [{ id: 'web', redirectUris: [WEB_REDIRECT], scopes: ['openid'], ...(resources ? { resources } : {}) }],
      issueTokens: (grant: Grant) => ({ access_token: 'at', token_type: 'Bearer', resource: grant.resource }),
    })

  async function codeFor(app: Express, query: string): Promise<string> {
    const agent = await signedIn(app)
    const res = await agent
      .get(`${AUTHORIZE}?${query}&resource=${encodeURIComponent(API)}&resource=${encodeURIComponent(FILES)}`)
      .expect(303)
    return locationParams(res.headers.location).get('code') as string
  }

  it('binds every resource of /authorize to the code and hands them to issueTokens as grant.resource', async () => {
    const { app } = withResources()
    const res = await exchange(app, await codeFor(app, authorizeQuery())).expect(200)
    expect(res.body.resource).to.deep.equal([API, FILES])
  })

  it('narrows the grant to the one resource the token request names', async () => {
    const { app } = withResources()
    const res = await exchange(app, await codeFor(app, authorizeQuery()), { resource: FILES }).expect(200)
    expect(res.body.resource).to.deep.equal([FILES])
  })

  it('answers invalid_target, burning the code, for a token request naming a resource the code was not issued for', async () => {
    const { app } = withResources()
    const code = await codeFor(app, authorizeQuery())
    const res = await exchange(app, code, { resource: 'https://other.example.com/' }).expect(400)
    expect(res.body.error).to.equal('invalid_target')
    expect((await exchange(app, code)).body.error).to.equal('invalid_grant')
  })

  it('answers invalid_target at /token for a resource when the code has none', async () => {
    const { app } = withResources()
    const agent = await signedIn(app)
    const code = locationParams((await agent.get(`${AUTHORIZE}?${authorizeQuery()}`)).headers.location).get('code') as string
    expect((await exchange(app, code, { resource: API })).body.error).to.equal('invalid_target')
  })

  for (const [what, resource] of [
    ['a relative URI', '/mcp'],
    ['a URI with a fragment', `${API}#part`],
  ] as const) {
    it(`redirects with error=invalid_target for ${what}`, async () => {
      const { app } = withResources()
      const agent = await signedIn(app)
      const res = await agent.get(`${AUTHORIZE}?${authorizeQuery()}&resource=${encodeURIComponent(resource)}`).expect(303)
      expect(locationParams(res.headers.location).get('error')).to.equal('invalid_target')
    })
  }

  it('redirects with error=invalid_target for a resource the client may not ask for', async () => {
    const { app } = withResources([API])
    const agent = await signedIn(app)
    const allowed = await agent.get(`${AUTHORIZE}?${authorizeQuery()}&resource=${encodeURIComponent(API)}`).expect(303)
    expect(locationParams(allowed.headers.location).get('code')).to.have.length(43)
    const refused = await agent.get(`${AUTHORIZE}?${authorizeQuery()}&resource=${encodeURIComponent(FILES)}`).expect(303)
    expect(locationParams(refused.headers.location).get('error')).to.equal('invalid_target')
  })
})
