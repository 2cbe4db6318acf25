import { expect } from 'chai'
import express from 'express'
import { calculateJwkThumbprint, createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import request from 'supertest'
import { accessTokenSignerFor } from '../lib/endpoints/token/jwt-access-token-issuer.js'
import { jwkThumbprint } from '../lib/endpoints/token/signing-key.js'
import {
  AuthcodeOptionsError,
  authcode,
  jwtAccessTokenIssuer,
  MemoryStore,
  MisconfigurationError,
  type AuthcodeRouter,
} from '../lib/index.js'
import type { Grant, JsonWebKeySet } from '../types/index.js'
import { baseOptions, buildApp, ISSUER, issue, MOUNT, tokenForm } from './helpers/app.js'

const API = 'https://api.example.com/mcp'
const OTHER_API = 'https://files.example.com/'
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

describe('jwtAccessTokenIssuer', () => {
  const store = new MemoryStore()
  after(() => store.close())
  const es256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey

  function app(privateKey: KeyObject | object = es256, extra: { kid?: string; ttl?: number } = {}) {
    return buildApp(baseOptions({ store, issueTokens: jwtAccessTokenIssuer({ privateKey: privateKey as KeyObject, ...extra }) }))
  }
  async function exchange(
    built: { app: express.Express; auth: AuthcodeRouter },
    code: Partial<Parameters<typeof issue>[1]> = {},
    form = {},
  ) {
    const issued = await issue(built.auth, { resource: [API], scope: 'openid profile', authTime: 1_700_000_000, ...code })
    return request(built.app).post(`${MOUNT}/token`).type('form').send(tokenForm(issued, form))
  }
  const jwksOf = (auth: AuthcodeRouter) => createLocalJWKSet(auth.jwks as JsonWebKeySet as Parameters<typeof createLocalJWKSet>[0])

  describe('POST /token with an authorization code', () => {
    it('answers an RFC 9068 JWT that verifies against auth.jwks, with every claim of the grant', async () => {
      const built = app()
      const res = await exchange(built)
      expect(res.status).to.equal(200)
      expect(res.body).to.include({ token_type: 'Bearer', expires_in: 3600, scope: 'openid profile' })
      const { payload, protectedHeader } = await jwtVerify(res.body.access_token, jwksOf(built.auth), {
        issuer: ISSUER,
        audience: API,
        typ: 'at+jwt',
        algorithms: ['ES256'],
      })
      const jwk = built.auth.jwks?.keys[0]
      expect(protectedHeader).to.deep.equal({ alg: 'ES256', typ: 'at+jwt', kid: jwk?.kid })
      expect(jwk?.kid).to.equal(await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0]))
      expect(payload).to.include({
        iss: ISSUER,
        sub: 'user-42',
        aud: API,
        client_id: 'web',
        scope: 'openid profile',
        auth_time: 1_700_000_000,
      })
      expect(payload.jti).to.be.a('string').with.length.above(20)
      expect((payload.exp as number) - (payload.iat as number)).to.equal(3600)
      expect(Math.abs((payload.iat as number) - Date.now() / 1000)).to.be.below(5)
      expect(payload).not.to.have.property('cnf')
    })

    it('draws a fresh jti for every token', async () => {
      const built = app()
      const [a, b] = await Promise.all([exchange(built), exchange(built)])
      const jti = async (token: string) => (await jwtVerify(token, jwksOf(built.auth))).payload.jti
      expect(await jti(a.body.access_token)).not.to.equal(await jti(b.body.access_token))
    })

    it('names every resource of the grant as an aud array, and only the one the token request names', async () => {
      const built = app()
      const both = await exchange(built, { resource: [API, OTHER_API] })
      expect((await jwtVerify(both.body.access_token, jwksOf(built.auth))).payload.aud).to.deep.equal([API, OTHER_API])
      const one = await exchange(built, { resource: [API, OTHER_API] }, { resource: OTHER_API })
      expect((await jwtVerify(one.body.access_token, jwksOf(built.auth))).payload.aud).to.equal(OTHER_API)
    })

    it('refuses a grant without a resource with invalid_target, since RFC 9068 requires an audience', async () => {
      const res = await exchange(app(), { resource: undefined })
      expect(res.status).to.equal(400)
      expect(res.body).to.deep.include({ error: 'invalid_target' })
      expect(res.body).not.to.have.property('access_token')
    })

    it("gives a grant without a resource (a Capture code's) the router's defaultResource as its audience", async () => {
      const built = buildApp(baseOptions({ store, defaultResource: OTHER_API, issueTokens: jwtAccessTokenIssuer({ privateKey: es256 }) }))
      const res = await exchange(built, { resource: undefined })
      expect(res.status, res.text).to.equal(200)
      const { payload } = await jwtVerify(res.body.access_token, jwksOf(built.auth), { issuer: ISSUER })
      expect(payload.aud).to.equal(OTHER_API)
    })

    it('leaves out scope and auth_time when the grant has none, and lives ttl seconds', async () => {
      const built = app(es256, { ttl: 120 })
      const res = await exchange(built, { scope: undefined, authTime: undefined })
      expect(res.body).to.deep.include({ expires_in: 120 }).and.not.to.have.property('scope')
      const { payload } = await jwtVerify(res.body.access_token, jwksOf(built.auth))
      expect(payload).not.to.have.any.keys('scope', 'auth_time')
      expect((payload.exp as number) - (payload.iat as number)).to.equal(120)
    })
  })

  describe('keys', () => {
    for (const [name, key, alg] of [
      ['Ed25519', generateKeyPairSync('ed25519').privateKey, 'EdDSA'],
      ['RSA', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'RS256'],
      ['P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, 'ES384'],
    ] as const) {
      it(`signs with ${alg} for a key of type ${name}, as its JWK in auth.jwks says`, async () => {
        const built = app(key)
        expect(built.auth.jwks?.keys[0]?.alg).to.equal(alg)
        const res = await exchange(built)
        expect(decodeProtectedHeader(res.body.access_token).alg).to.equal(alg)
        await jwtVerify(res.body.access_token, jwksOf(built.auth), { algorithms: [alg] })
      })
    }

    it('takes a private JWK, with its own kid, and a kid option over it', async () => {
      const jwk = { ...es256.export({ format: 'jwk' }), kid: 'jwk-kid' }
      const fromJwk = app(jwk)
      expect(fromJwk.auth.jwks?.keys[0]?.kid).to.equal('jwk-kid')
      await jwtVerify((await exchange(fromJwk)).body.access_token, jwksOf(fromJwk.auth))
      expect(app(jwk, { kid: 'given' }).auth.jwks?.keys[0]?.kid).to.equal('given')
    })

    it('publishes the public key only, frozen', () => {
      for (const key of [es256, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey]) {
        const jwks = app(key).auth.jwks as JsonWebKeySet
        expect(jwks.keys).to.have.length(1)
        expect(jwks.keys[0])
          .to.include({ use: 'sig' })
          .and.not.to.have.any.keys(...PRIVATE_MEMBERS)
        expect(Object.isFrozen(jwks.keys[0])).to.equal(true)
      }
    })

    it('computes the kid as jose computes the RFC 7638 thumbprint, for EC, OKP and RSA keys', async () => {
      for (const key of [
        es256,
        generateKeyPairSync('ed25519').privateKey,
        generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      ]) {
        const jwk = key.export({ format: 'jwk' })
        expect(jwkThumbprint(jwk)).to.equal(await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0]))
      }
    })

    const refused: Array<[string, unknown, string]> = [
      ['a symmetric KeyObject', createSecretKey(Buffer.alloc(32, 1)), 'symmetric'],
      ['a symmetric JWK', { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url') }, 'symmetric'],
      ['a public KeyObject', generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, 'public key'],
      ['a public JWK', generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }), 'private members'],
      ['an RSA key under 2048 bits', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, '2048'],
      ['a secp256k1 key', generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey, 'curve'],
      ['an Ed448 key', generateKeyPairSync('ed448').privateKey, 'ed448'],
      ['a string', 'not a key', 'KeyObject'],
    ]
    for (const [what, privateKey, says] of refused) {
      it(`refuses ${what} when it is created`, () => {
        const create = () => jwtAccessTokenIssuer({ privateKey: privateKey as KeyObject })
        expect(create).to.throw(AuthcodeOptionsError, says).with.property('code', 'ERR_AUTHCODE_OPTION_INVALID')
      })
    }

    it('refuses a missing key, an unknown option, a bad ttl and an empty kid', () => {
      expect(() => jwtAccessTokenIssuer({} as never))
        .to.throw(AuthcodeOptionsError)
        .with.property('code', 'ERR_AUTHCODE_OPTION_MISSING')
      expect(() => jwtAccessTokenIssuer({ privateKey: es256, ttl: 60, issuer: ISSUER } as never))
        .to.throw(AuthcodeOptionsError, '"issuer"')
        .with.property('code', 'ERR_AUTHCODE_OPTION_UNKNOWN')
      for (const ttl of [0, -1, 1.5, Number.NaN])
        expect(() => jwtAccessTokenIssuer({ privateKey: es256, ttl })).to.throw(AuthcodeOptionsError, 'ttl')
      expect(() => jwtAccessTokenIssuer({ privateKey: es256, kid: '' })).to.throw(AuthcodeOptionsError, 'kid')
    })
  })

  describe('DPoP-bound grants', () => {
    it('binds the token to the key with cnf.jkt and answers token_type DPoP', async () => {
      const signer = accessTokenSignerFor(jwtAccessTokenIssuer({ privateKey: es256 }), ISSUER)
      const grant = { kind: 'authorize', subject: 'user-42', clientId: 'web', resource: [API], issuedAt: new Date(), expiresAt: new Date() }
      const bound = { ...grant, dpopJkt: 'x'.repeat(43) } as Grant
      const tokens = await signer?.issueTokens(bound)
      expect(tokens).to.include({ token_type: 'DPoP', expires_in: 3600 })
      const { payload } = await jwtVerify(tokens?.access_token as string, signer?.publicKey as KeyObject)
      expect(payload.cnf).to.deep.equal({ jkt: 'x'.repeat(43) })
    })
  })

  it('rejects when called outside authcode(), where it does not know its issuer', async () => {
    const grant = { kind: 'authorize', subject: 'user-42', clientId: 'web', resource: [API] } as Grant
    let failure: unknown
    await Promise.resolve(jwtAccessTokenIssuer({ privateKey: es256 })(grant)).catch((err: unknown) => (failure = err))
    expect(failure).to.be.instanceOf(MisconfigurationError)
  })

  describe('GET /jwks', () => {
    it('serves auth.jwks, cacheable and readable from any origin, and jose fetches it as a remote JWK Set', async () => {
      const built = app()
      const res = await request(built.app).get(`${MOUNT}/jwks`).expect(200)
      expect(built.auth.metadata.jwks_uri, 'named in the metadata').to.equal(`${ISSUER}/jwks`)
      expect(res.body).to.deep.equal(built.auth.jwks)
      expect(res.body.keys[0]).not.to.have.any.keys(...PRIVATE_MEMBERS)
      expect(res.headers).to.include({
        'content-type': 'application/jwk-set+json; charset=utf-8',
        'cache-control': 'public, max-age=300',
        'access-control-allow-origin': '*',
      })
      const token = (await exchange(built)).body.access_token as string
      const server: Server = built.app.listen(0, '127.0.0.1')
      try {
        await new Promise((resolve) => server.once('listening', resolve))
        const remote = createRemoteJWKSet(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}${MOUNT}/jwks`))
        expect((await jwtVerify(token, remote, { issuer: ISSUER, audience: API })).payload.sub).to.equal('user-42')
      } finally {
        server.close()
      }
    })

    it('is not served, and auth.jwks is undefined, when issueTokens is the host own function', async () => {
      const auth = authcode(baseOptions({ store }))
      expect(auth.jwks).to.equal(undefined)
      expect(auth.metadata.jwks_uri).to.equal(undefined)
      const host = express().use(MOUNT, auth)
      await request(host).get(`${MOUNT}/jwks`).expect(404)
    })
  })
})
