import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { expect } from 'chai'
import express, { type Express } from 'express'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT } from 'jose'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import request from 'supertest'
import { AuthcodeOptionsError, authcode, jwtAccessTokenIssuer, MemoryStore, type AuthcodeRouter } from '../lib/index.js'
import type { ProtectedResource, ResourceAuthInfo } from '../types/index.js'
import { baseOptions, ISSUER, issue, MOUNT, tokenForm } from './helpers/app.js'

const RESOURCE = 'https://api.example.com/mcp'
const METADATA_URL = 'https://api.example.com/.well-known/oauth-protected-resource/mcp'
const CHALLENGE = `Bearer resource_metadata="${METADATA_URL}"`
const invalidToken = (description: string) =>
  `Bearer error="invalid_token", error_description="${description}", resource_metadata="${METADATA_URL}"`

describe('auth.protectedResource()', () => {
  const store = new MemoryStore()
  after(() => store.close())
  const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  let app: Express
  let auth: AuthcodeRouter
  let api: ProtectedResource

  beforeEach(() => {
    auth = authcode(baseOptions({ store, issueTokens: jwtAccessTokenIssuer({ privateKey }) }))
    api = auth.protectedResource({ resource: RESOURCE, scopes: ['mcp:tools', 'mcp:admin'] })
    app = express()
    app.use(MOUNT, auth)
    app.use(api)
    const answer: express.RequestHandler = (req, res) => {
      res.json({ auth: (req as express.Request & { auth?: unknown }).auth, info: api.authInfo(res) })
    }
    app.get('/mcp', api.requireBearer(['mcp:tools']), answer)
    app.get('/mcp/admin', api.requireBearer(['mcp:tools', 'mcp:admin']), answer)
    app.get('/mcp/open', api.requireBearer(), answer)
  })

  /** A token from a real code exchange at /token. */
  async function exchanged(resource = [RESOURCE], scope = 'mcp:tools'): Promise<string> {
    const code = await issue(auth, { resource, scope })
    const res = await request(app).post(`${MOUNT}/token`).type('form').send(tokenForm(code)).expect(200)
    return res.body.access_token as string
  }

  /** A token signed here, as the router would sign it unless told otherwise. */
  function minted(
    init: { key?: KeyObject; typ?: string; iss?: string; aud?: string; exp?: number | null; claims?: object } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000)
    const jwt = new SignJWT({ client_id: 'web', scope: 'mcp:tools', jti: 'j-1', ...init.claims })
      .setProtectedHeader({ alg: 'ES256', typ: init.typ ?? 'at+jwt', kid: auth.jwks?.keys[0]?.kid as string })
      .setIssuer(init.iss ?? ISSUER)
      .setSubject('user-42')
      .setAudience(init.aud ?? RESOURCE)
      .setIssuedAt(now - 60)
    if (init.exp !== null) jwt.setExpirationTime(init.exp ?? now + 300)
    return jwt.sign(init.key ?? privateKey)
  }
  const call = (token?: string, path = '/mcp') => {
    const req = request(app).get(path)
    return token === undefined ? req : req.set('Authorization', `Bearer ${token}`)
  }

  describe('GET /.well-known/oauth-protected-resource<path>', () => {
    it('serves the RFC 9728 document of the resource, naming this router as its authorization server', async () => {
      const res = await request(app).get('/.well-known/oauth-protected-resource/mcp').expect(200)
      expect(res.body).to.deep.equal({
        resource: RESOURCE,
        authorization_servers: [ISSUER],
        scopes_supported: ['mcp:tools', 'mcp:admin'],
        bearer_methods_supported: ['header'],
      })
      expect(res.body).to.deep.equal(api.metadata)
      expect(res.headers['access-control-allow-origin']).to.equal('*')
      expect(api.metadataUrl).to.equal(METADATA_URL)
    })

    it('puts the document of a resource without a path at the bare well-known URL', async () => {
      const root = auth.protectedResource({ resource: 'https://api.example.com' })
      expect(root.metadataUrl).to.equal('https://api.example.com/.well-known/oauth-protected-resource')
      const res = await request(express().use(root)).get('/.well-known/oauth-protected-resource').expect(200)
      expect(res.body).to.deep.equal({
        resource: 'https://api.example.com',
        authorization_servers: [ISSUER],
        bearer_methods_supported: ['header'],
      })
    })
  })

  describe('requireBearer', () => {
    it('admits a token of this router for the resource and sets req.auth in the MCP SDK AuthInfo shape', async () => {
      const token = await exchanged()
      const res = await call(token).expect(200)
      expect(res.body.auth).to.deep.include({ token, clientId: 'web', scopes: ['mcp:tools'], resource: RESOURCE })
      expect(res.body.auth.expiresAt)
        .to.be.a('number')
        .above(Date.now() / 1000)
      expect(res.body.auth.extra.subject).to.equal('user-42')
      expect(res.body.auth.extra.claims).to.include({ iss: ISSUER, sub: 'user-42', aud: RESOURCE, client_id: 'web' })
      expect(res.body.info).to.deep.equal(res.body.auth)
      await call(token, '/mcp/open').expect(200)
    })

    it('answers 401 with the bare resource_metadata challenge to a request without a token', async () => {
      const res = await call().expect(401)
      expect(res.headers['www-authenticate']).to.equal(CHALLENGE)
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/)
      expect(res.body).not.to.have.property('auth')
      // Another scheme is no token either; `DPoP` is taken (test/dpop-resource.test.ts).
      const basic = await request(app).get('/mcp').set('Authorization', 'Basic d2ViOnNlY3JldA==').expect(401)
      expect(basic.headers['www-authenticate']).to.equal(CHALLENGE)
    })

    it('answers 401 invalid_token to a token that is not a JWT', async () => {
      const res = await call('garbage').expect(401)
      expect(res.headers['www-authenticate']).to.equal(invalidToken('The access token is not valid.'))
    })

    it('answers 401 invalid_token to an expired token', async () => {
      const res = await call(await minted({ exp: Math.floor(Date.now() / 1000) - 60 })).expect(401)
      expect(res.headers['www-authenticate']).to.equal(invalidToken('The access token expired.'))
    })

    it('answers 401 invalid_token to a token without exp', async () => {
      const res = await call(await minted({ exp: null })).expect(401)
      expect(res.headers['www-authenticate']).to.equal(invalidToken('The access token is not valid.'))
    })

    it('answers 401 invalid_token to a token signed by another key under the same kid', async () => {
      const res = await call(await minted({ key: stranger })).expect(401)
      expect(res.headers['www-authenticate']).to.equal(invalidToken('The access token is not valid.'))
    })

    it('answers 401 invalid_token to a token of another issuer', async () => {
      const res = await call(await minted({ iss: 'https://elsewhere.example.com' })).expect(401)
      expect(res.headers['www-authenticate']).to.equal(invalidToken('The access token is not valid.'))
    })

    it('answers 401 invalid_token to a JWT that is not an access token (typ other than at+jwt)', async () => {
      await call(await minted()).expect(200)
      const res = await call(await minted({ typ: 'JWT' })).expect(401)
      expect(res.headers['www-authenticate']).to.equal(invalidToken('The access token is not valid.'))
    })

    it('answers 401 invalid_token to a token of this router for another resource', async () => {
      const res = await call(await exchanged(['https://other.example.com/api'])).expect(401)
      expect(res.headers['www-authenticate']).to.equal(invalidToken('The access token is not for this resource.'))
    })

    it('answers 401 invalid_token to a DPoP-bound token presented as a Bearer token', async () => {
      const res = await call(await minted({ claims: { cnf: { jkt: 'x'.repeat(43) } } })).expect(401)
      expect(res.headers['www-authenticate']).to.equal(
        invalidToken('The access token is bound to a DPoP key and is not accepted as a Bearer token.'),
      )
    })

    it('answers 403 insufficient_scope, naming the scopes the route needs, to a token without one of them', async () => {
      const res = await call(await exchanged(), '/mcp/admin').expect(403)
      expect(res.headers['www-authenticate']).to.equal(
        `Bearer error="insufficient_scope", error_description="The access token needs the scope mcp:tools mcp:admin.", scope="mcp:tools mcp:admin", resource_metadata="${METADATA_URL}"`,
      )
      await call(await exchanged([RESOURCE], 'mcp:tools mcp:admin'), '/mcp/admin').expect(200)
    })

    it('answers 400 invalid_request to a malformed Bearer header', async () => {
      const res = await request(app).get('/mcp').set('Authorization', 'Bearer a b').expect(400)
      expect(res.headers['www-authenticate']).to.equal(`Bearer error="invalid_request", resource_metadata="${METADATA_URL}"`)
    })

    it('never answers a 5xx to a hostile token', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')
      const body = Buffer.from(JSON.stringify({ iss: ISSUER, aud: RESOURCE, exp: 4e9 })).toString('base64url')
      const hs = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt' })).toString('base64url')
      for (const token of [`${header}.${body}.`, `${hs}.${body}.AAAA`, 'a.b.c', 'eyJ.eyJ.eyJ', `${'A'.repeat(8000)}.x.y`, '...']) {
        const res = await call(token)
        expect(res.status, token.slice(0, 40)).to.be.oneOf([400, 401])
      }
      for (const claims of [{ client_id: 42 }, { scope: ['mcp:tools'] }]) {
        expect((await call(await minted({ claims }))).status, JSON.stringify(claims)).to.equal(401)
      }
    })

    it('takes the aud a client parsed from a resource without a path (trailing slash)', async () => {
      const root = auth.protectedResource({ resource: 'https://api.example.com' })
      app.get('/root', root.requireBearer(), (_req, res) => res.json({}))
      await call(await minted({ aud: 'https://api.example.com/' }), '/root').expect(200)
    })
  })

  describe('behind the MCP SDK Streamable HTTP transport', () => {
    // Compile-time: what requireBearer sets is the SDK's AuthInfo.
    const fits = (info: ResourceAuthInfo): AuthInfo => info
    void fits

    it('hands the verified token to the tool as authInfo, and the SDK client gets 401 without a token', async () => {
      app.post('/mcp', express.json(), api.requireBearer(['mcp:tools']), async (req, res) => {
        const server = new McpServer({ name: 'api', version: '1.0.0' })
        server.registerTool('whoami', { description: 'Who called' }, (extra) => ({
          content: [{ type: 'text', text: `${extra.authInfo?.extra?.subject} via ${extra.authInfo?.clientId}` }],
        }))
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
        res.on('close', () => void transport.close())
        await server.connect(transport)
        await transport.handleRequest(req, res, req.body)
      })
      const listening: Server = app.listen(0, '127.0.0.1')
      await new Promise((resolve) => listening.once('listening', resolve))
      const url = new URL(`http://127.0.0.1:${(listening.address() as AddressInfo).port}/mcp`)
      try {
        const token = await exchanged()
        const client = new Client({ name: 'test', version: '1.0.0' })
        await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${token}` } } }))
        const result = await client.callTool({ name: 'whoami' })
        expect(result.content).to.deep.equal([{ type: 'text', text: 'user-42 via web' }])
        await client.close()
        const anonymous = new Client({ name: 'test', version: '1.0.0' })
        let refused: unknown
        await anonymous.connect(new StreamableHTTPClientTransport(url)).catch((err: unknown) => (refused = err))
        expect(String(refused)).to.match(/401|Unauthorized/)
      } finally {
        listening.closeAllConnections()
        await new Promise((resolve) => listening.close(resolve))
      }
    })
  })

  describe('options', () => {
    it('refuses to build without a jwtAccessTokenIssuer, whose key verifies the tokens', () => {
      const plain = authcode(baseOptions({ store }))
      expect(() => plain.protectedResource({ resource: RESOURCE }))
        .to.throw(AuthcodeOptionsError, 'jwtAccessTokenIssuer')
        .with.property('code', 'ERR_AUTHCODE_OPTION_MISSING')
    })

    for (const [resource, says] of [
      ['/mcp', 'absolute URL'],
      ['http://api.example.com/mcp', 'https:'],
      ['https://api.example.com/mcp?x=1', 'query'],
      ['https://api.example.com/mcp#x', 'fragment'],
      ['https://api.example.com/:id', 'path'],
    ]) {
      it(`refuses the resource ${resource}`, () => {
        expect(() => auth.protectedResource({ resource: resource as string })).to.throw(AuthcodeOptionsError, says)
      })
    }

    it('accepts http: for a loopback resource, and refuses bad scopes and unknown options', () => {
      expect(auth.protectedResource({ resource: 'http://localhost:3000/mcp' }).metadataUrl).to.equal(
        'http://localhost:3000/.well-known/oauth-protected-resource/mcp',
      )
      expect(() => auth.protectedResource({ resource: RESOURCE, scopes: ['two words'] })).to.throw(AuthcodeOptionsError, 'scopes')
      expect(() => auth.protectedResource({ resource: RESOURCE, audience: RESOURCE } as never)).to.throw(AuthcodeOptionsError, 'audience')
      expect(() => api.requireBearer(['a"b'])).to.throw(AuthcodeOptionsError, 'requireBearer')
    })
  })
})
