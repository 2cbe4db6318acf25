import { expect } from 'chai'
import express, { type Express } from 'express'
import { decodeJwt } from 'jose'
import { generateKeyPairSync } from 'node:crypto'
import request from 'supertest'
import { authcode, jwtAccessTokenIssuer, MemoryStore, type AuthcodeRouter } from '../lib/index.js'
import type { ProtectedResource } from '../types/index.js'
import { baseOptions, issue, MOUNT, tokenForm } from './helpers/app.js'
import { dpopKey, dpopProof, type DpopKey, type ProofChanges } from './helpers/dpop.js'

const RESOURCE = 'https://api.example.com/mcp'
const METADATA_URL = 'https://api.example.com/.well-known/oauth-protected-resource/mcp'
const dpopChallenge = (error: string, description: string) =>
  `DPoP error="${error}", error_description="${description}", algs="ES256 EdDSA RS256 PS256", resource_metadata="${METADATA_URL}"`

describe('auth.protectedResource(): DPoP-bound access tokens (RFC 9449 §7)', () => {
  const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  let store: MemoryStore
  let app: Express
  let auth: AuthcodeRouter
  let api: ProtectedResource
  let key: DpopKey
  let otherKey: DpopKey

  before(async () => {
    key = await dpopKey()
    otherKey = await dpopKey()
  })
  beforeEach(() => {
    store = new MemoryStore()
    auth = authcode(baseOptions({ store, issueTokens: jwtAccessTokenIssuer({ privateKey }) }))
    api = auth.protectedResource({ resource: RESOURCE, scopes: ['mcp:tools', 'mcp:admin'] })
    app = express()
    app.use(MOUNT, auth)
    app.use(api)
    const answer: express.RequestHandler = (_req, res) => void res.json({ info: api.authInfo(res) })
    app.get('/mcp', api.requireBearer(['mcp:tools']), answer)
    app.get('/mcp/admin', api.requireBearer(['mcp:tools', 'mcp:admin']), answer)
  })
  afterEach(() => store.close())

  /** An access token from a code exchanged at /token, bound to `bound`'s key when given. */
  async function exchanged(bound?: DpopKey): Promise<string> {
    const code = await issue(auth, { resource: [RESOURCE], scope: 'mcp:tools' })
    const sent = request(app).post(`${MOUNT}/token`).type('form')
    if (bound) sent.set('DPoP', await dpopProof(bound))
    const res = await sent.send(tokenForm(code)).expect(200)
    return res.body.access_token as string
  }
  /** A proof of `signer` for `GET <resource>` carrying `token`'s hash. */
  const proofFor = (token: string, signer: DpopKey = key, changes: ProofChanges = {}) =>
    dpopProof(signer, { accessToken: token, ...changes, claims: { htm: 'GET', htu: RESOURCE, ...changes.claims } })
  const call = (token: string, proof?: string, path = '/mcp') => {
    const sent = request(app).get(path).set('Authorization', `DPoP ${token}`)
    return proof === undefined ? sent : sent.set('DPoP', proof)
  }

  it('admits a DPoP-bound token sent as DPoP with a proof of its key for this request', async () => {
    const token = await exchanged(key)
    expect(decodeJwt(token).cnf).to.deep.equal({ jkt: key.jkt })
    const res = await call(token, await proofFor(token)).expect(200)
    expect(res.body.info).to.deep.include({ token, clientId: 'web', scopes: ['mcp:tools'] })
  })

  it('ignores the query of the request, as the proof htu has none', async () => {
    const token = await exchanged(key)
    await call(token, await proofFor(token), '/mcp?session=1').expect(200)
  })

  const refusals: Array<[string, (token: string) => Promise<string | undefined>, string]> = [
    ['no proof', async () => undefined, 'A DPoP-bound access token needs a DPoP proof.'],
    [
      "another key's proof",
      (token) => proofFor(token, otherKey),
      'The DPoP proof is not signed with the key the access token is bound to.',
    ],
    ['a proof for another token (ath)', (token) => proofFor(`${token}x`), 'The DPoP proof ath is not the hash of the access token.'],
    [
      'a proof without ath',
      (token) => proofFor(token, key, { claims: { ath: undefined } }),
      'The DPoP proof ath is not the hash of the access token.',
    ],
    [
      'a proof for another method',
      (token) => proofFor(token, key, { claims: { htm: 'POST' } }),
      'The DPoP proof htm is not the method of this request.',
    ],
    [
      'a proof for another URL',
      (token) => proofFor(token, key, { claims: { htu: `${RESOURCE}/admin` } }),
      'The DPoP proof htu is not the URL of this endpoint.',
    ],
    [
      'a proof for the token endpoint',
      (token) => dpopProof(key, { accessToken: token }),
      'The DPoP proof htm is not the method of this request.',
    ],
  ]
  for (const [what, proof, description] of refusals) {
    it(`answers 401 with a DPoP invalid_dpop_proof challenge to a bound token with ${what}`, async () => {
      const token = await exchanged(key)
      const res = await call(token, await proof(token)).expect(401)
      expect(res.headers['www-authenticate']).to.equal(dpopChallenge('invalid_dpop_proof', description))
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/)
    })
  }

  it('refuses a replayed proof, from its jti claimed in the store', async () => {
    const token = await exchanged(key)
    const proof = await proofFor(token)
    await call(token, proof).expect(200)
    const res = await call(token, proof).expect(401)
    expect(res.headers['www-authenticate']).to.equal(
      dpopChallenge('invalid_dpop_proof', 'The DPoP proof was already used: sign a new one for every request.'),
    )
  })

  it('answers 401 DPoP invalid_token to an unbound token sent as DPoP, and admits it as Bearer', async () => {
    const token = await exchanged()
    const res = await call(token, await proofFor(token)).expect(401)
    expect(res.headers['www-authenticate']).to.equal(
      dpopChallenge('invalid_token', 'The access token is not bound to a DPoP key: send it as a Bearer token.'),
    )
    await request(app).get('/mcp').set('Authorization', `Bearer ${token}`).expect(200)
  })

  it('still checks the scopes of a bound token with a valid proof', async () => {
    const token = await exchanged(key)
    await call(token, await proofFor(token, key, { claims: { htu: `${RESOURCE}/admin` } }), '/mcp/admin').expect(403)
  })
})
