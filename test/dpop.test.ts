import { expect } from 'chai'
import { decodeJwt } from 'jose'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import type { Express } from 'express'
import request from 'supertest'
import {
  authcode,
  AuthcodeOptionsError,
  jwtAccessTokenIssuer,
  MemoryStore,
  OPTIONS_ERROR_CODES,
  type AuthcodeRouter,
} from '../lib/index.js'
import type { AuthcodeEvent, AuthcodeOptions, Grant } from '../types/index.js'
import { baseOptions, buildApp, CRM_REDIRECT, CRM_SECRET, ISSUER, issue, MOUNT, tokenForm } from './helpers/app.js'
import { dpopKey, dpopProof, TOKEN_HTU, unsignedProof, type DpopKey } from './helpers/dpop.js'
import { oauthBasic } from './helpers/http.js'
import { crmCode, refreshForm, refreshOptions, TOKEN_URL } from './helpers/refresh.js'

describe('DPoP (RFC 9449) at POST /token', () => {
  let store: MemoryStore
  let app: Express
  let auth: AuthcodeRouter
  let grants: Grant[]
  let key: DpopKey
  let otherKey: DpopKey

  function start(overrides: Partial<AuthcodeOptions> = {}): void {
    store?.close()
    store = new MemoryStore()
    const built = refreshOptions({ store, ...overrides })
    grants = built.grants
    ;({ app, auth } = buildApp(built.options))
  }
  before(async () => {
    key = await dpopKey()
    otherKey = await dpopKey()
  })
  beforeEach(() => start())
  afterEach(() => store.close())

  /** `POST /token` with `form`, and each of `proofs` as a `DPoP` header. */
  function post(form: Record<string, string>, proofs: string | string[] = [], path = TOKEN_URL) {
    const sent = request(app).post(path).type('form')
    const list = typeof proofs === 'string' ? [proofs] : proofs
    // Several values become several header lines (node:http setHeader with an array).
    if (list.length > 0) sent.set({ DPoP: list.length === 1 ? list[0] : list })
    return sent.send(form)
  }
  const expectError = (res: request.Response, error: string, description?: RegExp) => {
    expect(res.status, JSON.stringify(res.body)).to.equal(400)
    expect(res.body.error).to.equal(error)
    if (description) expect(res.body.error_description).to.match(description)
  }

  describe('proof checks', () => {
    it('accepts a valid proof and hands issueTokens the thumbprint of its key', async () => {
      const res = await post(tokenForm(await issue(auth)), await dpopProof(key))
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(grants[0]?.dpopJkt).to.equal(key.jkt)
    })

    const now = () => Math.floor(Date.now() / 1000)
    const refusals: Array<[string, () => Promise<string | string[]>, RegExp]> = [
      ['whose typ is not dpop+jwt', () => dpopProof(key, { header: { typ: 'JWT' } }), /typ must be dpop\+jwt/],
      ['signed with alg none', async () => unsignedProof(key), /alg is not one of/],
      ['signed with HS256', () => dpopProof(key, { header: { alg: 'HS256' }, signer: randomBytes(32) }), /alg is not one of/],
      ['signed with an alg outside dpop.algorithms (ES384)', async () => dpopProof(await dpopKey('ES384')), /alg is not one of/],
      ['whose jwk is a private key', () => dpopProof(key, { header: { jwk: key.privateJwk } }), /jwk must be a public key/],
      ['without a jwk', () => dpopProof(key, { header: { jwk: undefined } }), /has no jwk header/],
      ['whose signature is not by the key of its jwk', () => dpopProof(key, { signer: otherKey.privateKey }), /signature does not verify/],
      ['for another method (htm GET)', () => dpopProof(key, { claims: { htm: 'GET' } }), /htm is not the method/],
      ['for another endpoint (htu …/par)', () => dpopProof(key, { claims: { htu: `${ISSUER}/par` } }), /htu is not the URL/],
      ['whose htu has a query', () => dpopProof(key, { claims: { htu: `${TOKEN_HTU}?client_id=web` } }), /htu is not the URL/],
      ['whose htu has a fragment', () => dpopProof(key, { claims: { htu: `${TOKEN_HTU}#x` } }), /htu is not the URL/],
      ['without htu', () => dpopProof(key, { claims: { htu: undefined } }), /has no htu claim/],
      ['issued more than skewSeconds ago', () => dpopProof(key, { claims: { iat: now() - 62 } }), /iat is more than 60 seconds/],
      ['issued more than skewSeconds ahead', () => dpopProof(key, { claims: { iat: now() + 62 } }), /iat is more than 60 seconds/],
      ['without iat', () => dpopProof(key, { claims: { iat: undefined } }), /has no iat claim/],
      ['without jti', () => dpopProof(key, { claims: { jti: undefined } }), /has no jti claim/],
      ['whose jti is no short string', () => dpopProof(key, { claims: { jti: 'j'.repeat(257) } }), /jti is not valid/],
      ['that is no JWT', async () => 'not.a-jwt', /not a JWT/],
      ['longer than 8192 characters', () => dpopProof(key, { header: { pad: 'x'.repeat(8200) } }), /too long/],
      ['sent in two DPoP headers', async () => [await dpopProof(key), await dpopProof(key)], /exactly one DPoP header/],
    ]
    for (const [what, make, why] of refusals) {
      it(`answers invalid_dpop_proof to a proof ${what}, before the code is consumed`, async () => {
        const code = await issue(auth)
        const res = await post(tokenForm(code), await make())
        expectError(res, 'invalid_dpop_proof', why)
        expect(res.body.error_description, 'nothing of the proof').not.to.include(key.publicJwk.x as string)
        expect((await post(tokenForm(code), await dpopProof(key))).status, 'the code still exchanges').to.equal(200)
      })
    }

    it('answers invalid_dpop_proof to a replayed proof, which spends the code it came with', async () => {
      const proof = await dpopProof(key)
      expect((await post(tokenForm(await issue(auth)), proof)).status).to.equal(200)
      const code = await issue(auth)
      expectError(await post(tokenForm(code), proof), 'invalid_dpop_proof', /already used/)
      expectError(await post(tokenForm(code), await dpopProof(key)), 'invalid_grant')
    })

    it('takes an alg only dpop.algorithms lists', async () => {
      start({ dpop: { algorithms: ['EdDSA'] } })
      expectError(await post(tokenForm(await issue(auth)), await dpopProof(key)), 'invalid_dpop_proof', /alg is not one of/)
      expect((await post(tokenForm(await issue(auth)), await dpopProof(await dpopKey('EdDSA')))).status).to.equal(200)
    })

    it('takes an iat within dpop.skewSeconds either way', async () => {
      start({ dpop: { skewSeconds: 5 } })
      const iat = Math.floor(Date.now() / 1000)
      expect((await post(tokenForm(await issue(auth)), await dpopProof(key, { claims: { iat: iat - 4 } }))).status).to.equal(200)
      expect((await post(tokenForm(await issue(auth)), await dpopProof(key, { claims: { iat: iat + 4 } }))).status).to.equal(200)
      const old = await post(tokenForm(await issue(auth)), await dpopProof(key, { claims: { iat: iat - 7 } }))
      expectError(old, 'invalid_dpop_proof', /iat is more than 5 seconds/)
    })

    it('compares htu as RFC 3986 §6 normalizes it, and ignores the query of the request', async () => {
      const equivalent = TOKEN_HTU.replace('http://', 'HTTP://').replace('127.0.0.1', '127.0.0.1:80').replace('/token', '/%74oken')
      expect((await post(tokenForm(await issue(auth)), await dpopProof(key, { claims: { htu: equivalent } }))).status).to.equal(200)
      const withQuery = await post(tokenForm(await issue(auth)), await dpopProof(key), `${TOKEN_URL}?trace=1`)
      expect(withQuery.status, JSON.stringify(withQuery.body)).to.equal(200)
    })
  })

  describe('codes bound to a key (dpop_jkt)', () => {
    it('exchanges a bound code with a proof of its key, and the grant carries that key', async () => {
      const res = await post(tokenForm(await issue(auth, { dpopJkt: key.jkt })), await dpopProof(key))
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(grants[0]?.dpopJkt).to.equal(key.jkt)
    })

    for (const [what, proof] of [
      ['without a proof', () => Promise.resolve([])],
      ["with another key's proof", () => dpopProof(otherKey)],
    ] as const) {
      it(`answers invalid_grant to a bound code ${what}, and the code is spent`, async () => {
        const code = await issue(auth, { dpopJkt: key.jkt })
        expectError(await post(tokenForm(code), await proof()), 'invalid_grant', /bound to a DPoP key/)
        expectError(await post(tokenForm(code), await dpopProof(key)), 'invalid_grant', /already used/)
      })
    }

    it('binds an unbound code exchanged with a proof: a JWT access token with cnf.jkt and token_type DPoP', async () => {
      const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
      start({ refreshTokens: undefined, issueTokens: jwtAccessTokenIssuer({ privateKey }) })
      const code = await issue(auth, { resource: ['https://api.example.com/'] })
      const events: AuthcodeEvent<'authorization.CodeRedeemed'>[] = []
      auth.on('authorization.CodeRedeemed', (event) => void events.push(event))
      const res = await post(tokenForm(code), await dpopProof(key))
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      expect(res.body.token_type).to.equal('DPoP')
      expect(decodeJwt(res.body.access_token).cnf).to.deep.equal({ jkt: key.jkt })
      expect(events[0]?.data.dpopJkt, 'the event carries the key').to.equal(key.jkt)
    })

    it('leaves a grant exchanged without a proof unbound', async () => {
      expect((await post(tokenForm(await issue(auth)))).status).to.equal(200)
      expect(grants[0]).not.to.have.property('dpopJkt')
    })
  })

  describe('refresh tokens (RFC 9449 §5)', () => {
    /** The first refresh token of a family of the public `web` client, exchanged with `proof` when given. */
    async function family(proofKey?: DpopKey): Promise<string> {
      const res = await post(tokenForm(await issue(auth)), proofKey ? await dpopProof(proofKey) : [])
      expect(res.status, JSON.stringify(res.body)).to.equal(200)
      return res.body.refresh_token as string
    }
    const refresh = (token: string, proofs: string | string[] = []) => post(refreshForm(token), proofs)

    it("binds a public client's family to the key of the exchange's proof, and its successors too", async () => {
      const first = await family(key)
      const second = await refresh(first, await dpopProof(key))
      expect(second.status, JSON.stringify(second.body)).to.equal(200)
      expect(grants[1]).to.include({ grantType: 'refresh_token', dpopJkt: key.jkt })
      expectError(await refresh(second.body.refresh_token), 'invalid_grant', /bound to a DPoP key/)
      expect((await refresh(second.body.refresh_token, await dpopProof(key))).status, 'the successor with its key').to.equal(200)
    })

    for (const [what, proof] of [
      ['without a proof', () => Promise.resolve([])],
      ["with another key's proof", () => dpopProof(otherKey)],
    ] as const) {
      it(`answers invalid_grant to a bound family's token ${what}, and neither spends nor rotates it`, async () => {
        const token = await family(key)
        expectError(await refresh(token, await proof()), 'invalid_grant', /bound to a DPoP key/)
        const res = await refresh(token, await dpopProof(key))
        expect(res.status, 'the token still works with its key').to.equal(200)
      })
    }

    it("refuses a rotated bound token presented without its key, without revoking the owner's family", async () => {
      const reuse: unknown[] = []
      auth.on('authorization.RefreshTokenReuseDetected', (event) => void reuse.push(event))
      const first = await family(key)
      const second = (await refresh(first, await dpopProof(key))).body.refresh_token as string
      expectError(await refresh(first, await dpopProof(otherKey)), 'invalid_grant', /bound to a DPoP key/)
      expect(reuse, 'no reuse detected').to.have.length(0)
      expect((await refresh(second, await dpopProof(key))).status, "the owner's token lives on").to.equal(200)
      expectError(await refresh(first, await dpopProof(key)), 'invalid_grant', /already used/)
      expect(reuse, 'the key holder replaying it is reuse').to.have.length(1)
    })

    it('answers invalid_dpop_proof to a replayed proof at a refresh, without rotating the token', async () => {
      const token = await family(key)
      const proof = await dpopProof(key)
      expect((await refresh(await family(key), proof)).status).to.equal(200)
      expectError(await refresh(token, proof), 'invalid_dpop_proof', /already used/)
      expect((await refresh(token, await dpopProof(key))).status, 'the token was not spent').to.equal(200)
    })

    it("keeps a public client's unbound family unbound when refreshed with a proof; that access token is bound", async () => {
      const first = await family()
      const second = await refresh(first, await dpopProof(key))
      expect(second.status).to.equal(200)
      expect(grants[1]?.dpopJkt, 'the access token of that refresh').to.equal(key.jkt)
      const third = await refresh(second.body.refresh_token)
      expect(third.status, 'no proof needed after').to.equal(200)
      expect(grants[2]).not.to.have.property('dpopJkt')
    })

    it("leaves a confidential client's family unbound: client authentication constrains it, and each refresh binds to its own proof", async () => {
      const code = await crmCode(auth)
      const basic = { authorization: oauthBasic('crm', CRM_SECRET) }
      const exchanged = await post({ grant_type: 'authorization_code', code, redirect_uri: CRM_REDIRECT }, await dpopProof(key)).set(basic)
      expect(exchanged.status, JSON.stringify(exchanged.body)).to.equal(200)
      expect(grants[0]?.dpopJkt).to.equal(key.jkt)
      const form = (token: string) => ({ grant_type: 'refresh_token', refresh_token: token })
      const rotated = await post(form(exchanged.body.refresh_token), await dpopProof(otherKey)).set(basic)
      expect(rotated.status, 'a new key').to.equal(200)
      expect(grants[1]?.dpopJkt).to.equal(otherKey.jkt)
      expect((await post(form(rotated.body.refresh_token)).set(basic)).status, 'no proof').to.equal(200)
    })
  })

  describe('metadata and options', () => {
    it('lists dpop.algorithms as dpop_signing_alg_values_supported', async () => {
      const res = await request(app).get(`${MOUNT}/.well-known/oauth-authorization-server`).expect(200)
      expect(res.body.dpop_signing_alg_values_supported).to.deep.equal(['ES256', 'EdDSA', 'RS256', 'PS256'])
      start({ dpop: { algorithms: ['ES384', 'PS512'] } })
      expect(auth.metadata.dpop_signing_alg_values_supported).to.deep.equal(['ES384', 'PS512'])
      start({ issueTokens: undefined, refreshTokens: undefined })
      expect(auth.metadata, 'no /token').not.to.have.property('dpop_signing_alg_values_supported')
    })

    const refusedAt = (dpop: unknown): AuthcodeOptionsError => {
      try {
        authcode(baseOptions({ store, dpop } as Partial<AuthcodeOptions>))
      } catch (err) {
        if (err instanceof AuthcodeOptionsError) return err
        throw err
      }
      throw new Error('authcode() took the option')
    }

    for (const alg of ['none', 'HS256', 'HS512']) {
      it(`refuses ${alg} in dpop.algorithms at authcode(), saying why`, () => {
        const err = refusedAt({ algorithms: ['ES256', alg] })
        expect(err.code).to.equal(OPTIONS_ERROR_CODES.invalid)
        expect(err.message).to.match(
          new RegExp(`"dpop.algorithms\\[1\\]" must not be "${alg}": a DPoP proof is signed with the private key`),
        )
      })
    }

    it('refuses an unknown alg, an empty list, a skew outside 1–300 and an unknown field', () => {
      expect(refusedAt({ algorithms: ['ES257'] }).message).to.match(/must be one of ES256, ES384/)
      expect(refusedAt({ algorithms: [] }).message).to.match(/"dpop.algorithms" must contain at least 1/)
      expect(refusedAt({ skewSeconds: 0 }).message).to.match(/"dpop.skewSeconds" must be greater than or equal to 1/)
      expect(refusedAt({ skewSeconds: 301 }).message).to.match(/"dpop.skewSeconds" must be less than or equal to 300/)
      expect(refusedAt({ skew: 5 }).code).to.equal(OPTIONS_ERROR_CODES.unknown)
    })
  })
})
