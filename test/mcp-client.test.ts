import { auth as mcpAuth } from '@modelcontextprotocol/sdk/client/auth.js'
import { expect } from 'chai'
import express from 'express'
import session from 'express-session'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { authcode, MemoryStore } from '../lib/index.js'
import type {} from '../types/express-session.js'
import type { Grant } from '../types/index.js'
import { testLogger } from './helpers/app.js'
import { MemoryOAuthProvider } from './helpers/mcp-oauth-provider.js'

/** A command-line MCP client registered as `mcp-cli`, redirecting to a loopback listener. */
function cliProvider(): MemoryOAuthProvider {
  const redirectUrl = 'http://localhost:33418/callback'
  return new MemoryOAuthProvider({
    redirectUrl,
    clientMetadata: {
      client_name: 'mcp cli',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'none',
    },
    state: 'cli-state-1',
    clientInformation: { client_id: 'mcp-cli' },
  })
}

/**
 * A browser as far as this flow needs one: it keeps its cookies (the session's and the
 * router's round-trip cookie) by name and follows nothing by itself, so each redirect is looked at.
 */
function browser(base: string) {
  const jar = new Map<string, string>()
  return async (path: string, init: RequestInit = {}) => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
    const res = await fetch(new URL(path, base), { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), cookie } })
    for (const set of res.headers.getSetCookie()) {
      const pair = set.split(';')[0] as string
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1))
    }
    return res
  }
}

describe('the MCP TypeScript SDK as a client', () => {
  let server: Server
  let base: string
  const grants: Grant[] = []
  const store = new MemoryStore()

  before(async () => {
    const app = express()
    app.use(session({ secret: 'test-secret', resave: false, saveUninitialized: false }))
    server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const auth = authcode({
      store,
      issuer: `${base}/auth`,
      logger: testLogger,
      clients: [{ id: 'mcp-cli', applicationType: 'native', redirectUris: ['http://localhost/callback'], scopes: ['mcp:tools'] }],
      loginUrl: '/login',
      consentUrl: '/consent',
      issueTokens: (grant) => {
        grants.push(grant)
        return { access_token: 'mcp-access-token', token_type: 'Bearer', expires_in: 3600 }
      },
    })
    app.post('/login', express.urlencoded({ extended: false }), (req, res) => {
      req.session.userId = 'user-42'
      res.redirect(303, String(req.body.return_to))
    })
    app.post('/consent', express.urlencoded({ extended: false }), (req, res, next) => {
      auth
        .grantConsent(req, { clientId: String(req.body.client_id), scope: String(req.body.scope), returnTo: String(req.body.return_to) })
        .then(() => res.redirect(303, String(req.body.return_to)), next)
    })
    // The MCP server: an RFC 9728 protected resource that names this authorization server.
    app.get('/.well-known/oauth-protected-resource/mcp', (_req, res) => {
      res.json({ resource: `${base}/mcp`, authorization_servers: [`${base}/auth`], scopes_supported: ['mcp:tools'] })
    })
    app.get(auth.metadataPath, (_req, res) => {
      res.json(auth.metadata)
    })
    app.use('/auth', auth)
  })

  after(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    store.close()
  })

  it('discovers, authorizes with PKCE on a localhost redirect, and exchanges the code bound to the MCP server resource', async () => {
    const provider = cliProvider()
    const serverUrl = `${base}/mcp`
    expect(await mcpAuth(provider, { serverUrl })).to.equal('REDIRECT')
    const url = provider.authorizationUrl as URL
    expect(url.searchParams.get('resource')).to.equal(serverUrl)

    // The user opens the URL: signs in, approves the client, and the browser lands on the CLI's loopback listener.
    const open = browser(base)
    const toLogin = await open(url.pathname + url.search)
    expect(toLogin.status).to.equal(303)
    const returnTo = new URL(toLogin.headers.get('location') as string, base).searchParams.get('return_to') as string
    const back = await open('/login', { method: 'POST', body: new URLSearchParams({ return_to: returnTo }) })
    const toConsent = await open(back.headers.get('location') as string)
    const consent = new URL(toConsent.headers.get('location') as string, base).searchParams
    expect(consent.get('client_id')).to.equal('mcp-cli')
    const approved = await open('/consent', { method: 'POST', body: consent })
    const callback = await open(approved.headers.get('location') as string)
    const landing = new URL(callback.headers.get('location') as string)
    expect(landing.origin + landing.pathname).to.equal('http://localhost:33418/callback')
    expect(landing.searchParams.get('state')).to.equal('cli-state-1')
    expect(landing.searchParams.get('iss')).to.equal(`${base}/auth`)

    const code = landing.searchParams.get('code') as string
    expect(await mcpAuth(provider, { serverUrl, authorizationCode: code })).to.equal('AUTHORIZED')
    expect(provider.tokens()?.access_token).to.equal('mcp-access-token')
    expect(grants).to.have.length(1)
    expect(grants[0]).to.include({ kind: 'authorize', subject: 'user-42', clientId: 'mcp-cli', scope: 'mcp:tools' })
    expect(grants[0]?.resource).to.deep.equal([serverUrl])
  })
})
