import { expect } from 'chai'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { jwtAccessTokens, ProblemError } from '../lib/index.js'
import { buildApp } from './helpers/app.js'
import { codesOptions, postCodes } from './helpers/codes.js'
import { freePort } from './helpers/redis-server.js'
import { useTestRedis } from './helpers/redis.js'

const ISSUER = 'https://idp.example.com/'
const AUDIENCE = 'https://id.example.com/api/id/v1/auth'

describe('jwtAccessTokens', () => {
  let server: Server
  let jwksUri: string
  const keys = {} as Record<'rs' | 'es' | 'stranger', { privateKey: CryptoKey; alg: string; kid: string }>

  before(async () => {
    const published: object[] = []
    // 'stranger' signs under the kid of the published RSA key without being published.
    for (const [name, alg, kid] of [
      ['rs', 'RS256', 'rs'],
      ['es', 'ES256', 'es'],
      ['stranger', 'RS256', 'rs'],
    ] as const) {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
      keys[name] = { privateKey, alg, kid }
      if (name !== 'stranger') published.push({ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' })
    }
    const jwks = JSON.stringify({ keys: published })
    server = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json')
      res.end(jwks)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`
  })
  after(() => {
    server.close()
  })

  interface TokenInit {
    key?: keyof typeof keys
    iss?: string
    aud?: string
    exp?: number | string
    typ?: string
    /** `sub`: the client for a client-credentials token (the default), a user for a delegated one. */
    sub?: string
    claims?: Record<string, unknown>
  }
  function token({
    key = 'rs',
    iss = ISSUER,
    aud = AUDIENCE,
    exp = '5m',
    typ = 'at+jwt',
    sub = 'crm',
    claims = {},
  }: TokenInit = {}): Promise<string> {
    const { privateKey, alg, kid } = keys[key]
    return new SignJWT({ client_id: 'crm', scope: 'openid codes:issue', sub, ...claims })
      .setProtectedHeader({ alg, kid, typ })
      .setIssuer(iss)
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(privateKey)
  }
  const verifier = () => jwtAccessTokens({ jwksUri, issuer: ISSUER, audience: AUDIENCE })

  it('accepts a valid RS256 token from the JWKS and reads client_id and the space-separated scope', async () => {
    expect(await verifier()(await token({ key: 'rs' }))).to.deep.equal({ clientId: 'crm', scopes: ['openid', 'codes:issue'] })
  })

  it('accepts a valid ES256 token from the JWKS', async () => {
    expect(await verifier()(await token({ key: 'es' }))).to.deep.equal({ clientId: 'crm', scopes: ['openid', 'codes:issue'] })
  })

  it('refuses an expired token', async () => {
    expect(await verifier()(await token({ exp: Math.floor(Date.now() / 1000) - 60 }))).to.equal(null)
  })

  it('refuses a token for another audience', async () => {
    expect(await verifier()(await token({ aud: 'https://other.example.com' }))).to.equal(null)
  })

  it('refuses a token from another issuer', async () => {
    expect(await verifier()(await token({ iss: 'https://evil.example.com/' }))).to.equal(null)
  })

  it('refuses a token signed with a key that is not in the JWKS, even under a known kid', async () => {
    expect(await verifier()(await token({ key: 'stranger' }))).to.equal(null)
  })

  it('refuses an unsigned token (alg: none)', async () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const now = Math.floor(Date.now() / 1000)
    const unsigned = `${part({ alg: 'none', typ: 'at+jwt' })}.${part({ iss: ISSUER, aud: AUDIENCE, client_id: 'crm', scope: 'codes:issue', iat: now, exp: now + 300 })}.`
    expect(await verifier()(unsigned)).to.equal(null)
  })

  it('refuses a token whose typ is not at+jwt, unless typ: false', async () => {
    const plain = await token({ typ: 'JWT' })
    expect(await verifier()(plain)).to.equal(null)
    expect(await jwtAccessTokens({ jwksUri, issuer: ISSUER, audience: AUDIENCE, typ: false })(plain)).to.include({ clientId: 'crm' })
  })

  it('refuses a token without client_id', async () => {
    expect(await verifier()(await token({ claims: { client_id: undefined } }))).to.equal(null)
  })

  it('refuses a token a client holds on behalf of a user (sub is not client_id), unless allowUserTokens', async () => {
    const delegated = await token({ sub: 'user-mallory' })
    expect(await verifier()(delegated)).to.equal(null)
    expect(await jwtAccessTokens({ jwksUri, issuer: ISSUER, audience: AUDIENCE, allowUserTokens: true })(delegated)).to.deep.equal({
      clientId: 'crm',
      scopes: ['openid', 'codes:issue'],
    })
  })

  it('refuses a token without sub, which cannot show it is the client', async () => {
    expect(await verifier()(await token({ claims: { sub: undefined } }))).to.equal(null)
  })

  it('answers 503 token-verification-unavailable when the JWKS cannot be fetched', async () => {
    const verify = jwtAccessTokens({ jwksUri: `http://127.0.0.1:${await freePort()}/jwks.json`, issuer: ISSUER, audience: AUDIENCE })
    const err = await verify(await token()).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).to.be.instanceOf(ProblemError)
    expect((err as ProblemError).status).to.equal(503)
    expect((err as ProblemError).slug).to.equal('token-verification-unavailable')
  })

  it('needs exactly one of jwksUri and key', () => {
    expect(() => jwtAccessTokens({ issuer: ISSUER, audience: AUDIENCE })).to.throw(/jwksUri/)
  })

  describe('as verifyAccessToken of POST /codes', () => {
    const redis = useTestRedis()

    function app(verify = verifier()) {
      const { accessTokens: _static, ...options } = codesOptions({ redis: redis.client, keyPrefix: redis.prefix })
      return buildApp({ ...options, verifyAccessToken: verify }).app
    }

    it('issues a code for a token with codes:issue and answers 403 for one without', async () => {
      const host = app()
      expect((await postCodes(host, { external_user_id: 'u1' }, { Authorization: `Bearer ${await token()}` })).status).to.equal(201)
      const res = await postCodes(
        host,
        { external_user_id: 'u1' },
        { Authorization: `Bearer ${await token({ claims: { scope: 'openid' } })}` },
      )
      expect(res.status).to.equal(403)
      expect(res.headers['www-authenticate']).to.include('error="insufficient_scope"')
    })

    it('answers 401 invalid_token for an expired token', async () => {
      const res = await postCodes(
        app(),
        { external_user_id: 'u1' },
        { Authorization: `Bearer ${await token({ exp: Math.floor(Date.now() / 1000) - 60 })}` },
      )
      expect(res.status).to.equal(401)
      expect(res.headers['www-authenticate']).to.include('error="invalid_token"')
    })

    it('answers 401 invalid_token for a user token with codes:issue (sub=user-mallory, client_id=crm), and issues with allowUserTokens', async () => {
      const delegated = { Authorization: `Bearer ${await token({ sub: 'user-mallory' })}` }
      const refused = await postCodes(app(), { external_user_id: 'u1' }, delegated)
      expect(refused.status).to.equal(401)
      expect(refused.headers['www-authenticate']).to.include('error="invalid_token"')
      const allowing = app(jwtAccessTokens({ jwksUri, issuer: ISSUER, audience: AUDIENCE, allowUserTokens: true }))
      expect((await postCodes(allowing, { external_user_id: 'u1' }, delegated)).status).to.equal(201)
    })
  })
})
