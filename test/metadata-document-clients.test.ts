import { expect } from 'chai'
import type { Express } from 'express'
import request from 'supertest'
import { AuthcodeOptionsError, MemoryStore, OPTIONS_ERROR_CODES, authcode } from '../lib/index.js'
import { resolveOptions } from '../lib/options/resolve.js'
import { STORE_SHAPES } from '../lib/stores/shapes.js'
import type { AuthcodeOptions } from '../types/index.js'
import { MOUNT, VERIFIER, baseOptions } from './helpers/app.js'
import { Browser } from './helpers/browser.js'
import { countingServer, type CountingServer } from './helpers/counting-https-server.js'
import { AUTHORIZE, authorizeQuery, hostApp, locationParams } from './helpers/host-app.js'
import { useTestRedis } from './helpers/redis.js'
import { makeLocalhostCertificate, type LocalhostCertificate } from './helpers/tls-cert.js'

// Every document is served on loopback; the router may fetch it only because its host is in allowHosts.

const REDIRECT = 'http://127.0.0.1/callback'

describe('clients that arrive by the URL of their metadata document', () => {
  let cert: LocalhostCertificate
  let server: CountingServer
  /** What the documents server answers at each path: a document, and its Cache-Control. */
  const served = new Map<string, { body: unknown; cacheControl?: string; status?: number }>()
  const urlOf = (path: string) => `https://localhost:${server.port}${path}`
  const documentAt = (path: string, extra: object = {}) => ({
    client_id: urlOf(path),
    client_name: 'Acme MCP client',
    client_uri: 'https://acme.example/',
    redirect_uris: [REDIRECT],
    token_endpoint_auth_method: 'none',
    ...extra,
  })

  before(async function () {
    this.timeout(15_000)
    cert = await makeLocalhostCertificate()
    server = await countingServer(cert, (req, res) => {
      const answer = served.get(req.url ?? '')
      res.statusCode = answer?.status ?? (answer ? 200 : 404)
      res.setHeader('content-type', 'application/json')
      if (answer?.cacheControl) res.setHeader('cache-control', answer.cacheControl)
      res.end(JSON.stringify(answer?.body ?? {}))
    })
  })
  after(() => server.close())
  beforeEach(() => served.clear())

  const documentsOn = (overrides: Partial<AuthcodeOptions> = {}) =>
    hostApp({
      consentUrl: '/consent',
      clientIdMetadataDocuments: { allowHosts: ['localhost'], ca: cert.cert },
      ...overrides,
    })

  async function signedIn(app: Express): Promise<Browser> {
    const browser = new Browser(app)
    await browser.post('/login', { user: 'user-42' })
    return browser
  }

  const authorizePath = (clientId: string, overrides: Record<string, string> = {}) =>
    `${AUTHORIZE}?${authorizeQuery({ client_id: clientId, redirect_uri: 'http://127.0.0.1:50200/callback', ...overrides })}`

  it('fetches the document, asks the user on every request showing the redirect host, and exchanges the code', async () => {
    served.set('/client.json', { body: documentAt('/client.json'), cacheControl: 'max-age=600' })
    const clientId = urlOf('/client.json')
    const { app, auth } = documentsOn()
    expect(auth.metadata.client_id_metadata_document_supported).to.equal(true)
    const browser = await signedIn(app)
    const path = authorizePath(clientId)
    const toConsent = await browser.get(path)
    expect(toConsent.headers.location, toConsent.text).to.match(/^\/consent\?/)
    expect(await auth.describeClient(clientId)).to.deep.equal({
      id: clientId,
      name: 'Acme MCP client',
      uri: 'https://acme.example/',
      redirectHosts: ['127.0.0.1'],
      metadataDocument: true,
    })
    const approved = await browser.post('/consent', { client_id: clientId, scope: 'openid', return_to: path })
    const code = locationParams((await browser.follow(approved)).headers.location).get('code') as string
    const exchanged = await request(app).post(`${MOUNT}/token`).type('form').send({
      grant_type: 'authorization_code',
      code,
      client_id: clientId,
      redirect_uri: 'http://127.0.0.1:50200/callback',
      code_verifier: VERIFIER,
    })
    expect(exchanged.status, exchanged.text).to.equal(200)
    expect((await browser.get(authorizePath(clientId, { state: 'again' }))).headers.location, 'asked again').to.match(/^\/consent\?/)
    expect(
      server.requests.filter((r) => r.path === '/client.json'),
      'fetched once, then read from the cache',
    ).to.have.length(1)
  })

  it('fetches a document once for concurrent first requests', async () => {
    served.set('/burst.json', { body: documentAt('/burst.json') })
    const { app } = documentsOn()
    const browser = await signedIn(app)
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => browser.get(authorizePath(urlOf('/burst.json'), { state: `s${i}` }))),
    )
    for (const answer of answers) expect(answer.status).to.equal(303)
    expect(server.requests.filter((r) => r.path === '/burst.json')).to.have.length(1)
  })

  const refusedWithPage = async (app: Express, path: string) => {
    const browser = await signedIn(app)
    const res = await browser.get(path)
    expect(res.status, res.text).to.equal(400)
    expect(res.headers.location, 'never a redirect').to.equal(undefined)
    return res
  }

  it('shows the 400 page, never a redirect, for a document whose client_id is not its URL', async () => {
    served.set('/other.json', { body: documentAt('/client.json') })
    const res = await refusedWithPage(documentsOn().app, authorizePath(urlOf('/other.json')))
    expect(res.text).to.include('client_id mismatch')
  })

  it('shows the 400 page for a redirect_uri the document does not list', async () => {
    served.set('/client.json', { body: documentAt('/client.json') })
    await refusedWithPage(documentsOn().app, authorizePath(urlOf('/client.json'), { redirect_uri: 'https://evil.example/cb' }))
  })

  it('shows the 400 page for a document of a confidential client, or with a bad redirect URI', async () => {
    served.set('/secret.json', { body: documentAt('/secret.json', { token_endpoint_auth_method: 'client_secret_basic' }) })
    served.set('/http.json', { body: documentAt('/http.json', { redirect_uris: ['http://evil.example/cb'] }) })
    await refusedWithPage(documentsOn().app, authorizePath(urlOf('/secret.json')))
    await refusedWithPage(documentsOn().app, authorizePath(urlOf('/http.json'), { redirect_uri: 'http://evil.example/cb' }))
  })

  it('shows the 400 page when the document cannot be fetched', async () => {
    served.set('/gone.json', { body: {}, status: 404 })
    const res = await refusedWithPage(documentsOn().app, authorizePath(urlOf('/gone.json')))
    expect(res.text).to.include('status 404')
  })

  it('refuses a loopback host not in allowHosts before connecting', async () => {
    served.set('/client.json', { body: documentAt('/client.json') })
    const before = server.connections
    const res = await refusedWithPage(
      documentsOn({ clientIdMetadataDocuments: { ca: cert.cert } }).app,
      authorizePath(urlOf('/client.json')),
    )
    expect(res.text).to.include('address not public')
    expect(server.connections).to.equal(before)
  })

  it('does not take a URL client_id for a document when the option is off: an unknown client', async () => {
    served.set('/client.json', { body: documentAt('/client.json') })
    const before = server.connections
    await refusedWithPage(hostApp({ consentUrl: '/consent' }).app, authorizePath(urlOf('/client.json')))
    expect(server.connections).to.equal(before)
  })

  describe('cached in Redis', () => {
    const redis = useTestRedis()

    it('shares the cache between processes, for the max-age the document gives within cacheSeconds', async () => {
      served.set('/short.json', { body: documentAt('/short.json'), cacheControl: 'max-age=5' })
      served.set('/long.json', { body: documentAt('/long.json'), cacheControl: 'max-age=999999' })
      const options = { redis: redis.client, keyPrefix: redis.prefix }
      const one = documentsOn(options)
      const other = documentsOn(options)
      for (const path of ['/short.json', '/long.json']) {
        expect((await (await signedIn(one.app)).get(authorizePath(urlOf(path)))).status).to.equal(303)
        expect((await (await signedIn(other.app)).get(authorizePath(urlOf(path)))).status).to.equal(303)
        expect(
          server.requests.filter((r) => r.path === path),
          `${path} fetched by one process only`,
        ).to.have.length(1)
      }
      const ttls = await Promise.all((await redis.client.keys(`${redis.prefix}client:doc:*`)).map((key) => redis.client.pTTL(key)))
      expect(ttls.sort((a, b) => a - b)).to.have.length(2)
      expect(ttls[0]).to.be.within(59_000, 60_000)
      expect(ttls[1]).to.be.within(86_399_000, 86_400_000)
    })
  })
})

describe('clientIdMetadataDocuments options', () => {
  it('writes allowHosts as URL parsing writes a host, which is what the fetch compares', () => {
    const { options } = resolveOptions(
      baseOptions({
        store: new MemoryStore(),
        loginUrl: '/login',
        consentUrl: '/consent',
        clientIdMetadataDocuments: { allowHosts: ['[::ffff:127.0.0.1]', 'localhost'] },
      }),
      STORE_SHAPES,
    )
    expect(options.clientIdMetadataDocuments && options.clientIdMetadataDocuments.allowHosts).to.deep.equal([
      '[::ffff:7f00:1]',
      'localhost',
    ])
  })

  it('refuses cacheSeconds whose min exceeds its max, and a store that keeps no clients', () => {
    const base = { loginUrl: '/login', consentUrl: '/consent', store: new MemoryStore() }
    expect(() => authcode(baseOptions({ ...base, clientIdMetadataDocuments: { cacheSeconds: { min: 100, max: 10 } } })))
      .to.throw(AuthcodeOptionsError)
      .with.property('code', OPTIONS_ERROR_CODES.invalid)
    const store = Object.assign(new MemoryStore(), { clientStore: undefined })
    expect(() => authcode(baseOptions({ ...base, store, clientIdMetadataDocuments: true })))
      .to.throw(AuthcodeOptionsError)
      .with.property('code', OPTIONS_ERROR_CODES.conflict)
  })
})
