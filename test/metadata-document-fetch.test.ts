import { expect } from 'chai'
import type { RequestListener } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { classifyAddress, type AddressClass } from '../lib/clients/addresses.js'
import { isClientIdUrl } from '../lib/clients/client-id-url.js'
import { MetadataDocumentError } from '../lib/clients/errors.js'
import {
  fetchMetadataDocument,
  maxAgeOf,
  type ConnectOptions,
  type DocumentFetchOptions,
  type FetchIo,
  type ResolvedAddress,
} from '../lib/clients/fetch-document.js'
import { countingServer, type CountingServer } from './helpers/counting-https-server.js'
import { makeLocalhostCertificate, type LocalhostCertificate } from './helpers/tls-cert.js'

// Every connection these tests open goes to loopback. Non-loopback addresses are only classified,
// or handed to a recording `connect` that throws instead of opening a socket.

const PUBLIC = '93.184.215.14'
const OPTIONS: DocumentFetchOptions = { allowHosts: [], timeoutMs: 2000, maxBytes: 5120 }
const DOCUMENT = { client_id: 'https://localhost/client.json', client_name: 'Test client', redirect_uris: ['https://localhost/cb'] }

/** What the documents server answers, by path. */
function documents(maxBytes: number, redirectTo = 'https://localhost:1/client.json'): RequestListener {
  const json = (body: unknown, headers: Record<string, string> = {}) => ({
    status: 200,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  const answers: Record<string, { status: number; headers: Record<string, string>; body: string }> = {
    '/client.json': json(DOCUMENT, { 'cache-control': 'public, max-age=300' }),
    '/redirect': { status: 302, headers: { location: redirectTo }, body: '' },
    '/missing': { status: 404, headers: {}, body: 'missing' },
    '/not-json': { status: 200, headers: { 'content-type': 'text/html' }, body: '<p>secret-page-content</p>' },
    '/array': json([DOCUMENT]),
  }
  return (req, res) => {
    const answer = answers[req.url ?? '']
    if (answer) {
      res.writeHead(answer.status, answer.headers).end(answer.body)
    } else if (req.url === '/chunked') {
      // Valid JSON past maxBytes, streamed without a Content-Length.
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"client_id":"https://localhost/chunked","padding":"')
      for (let sent = 0; sent <= maxBytes; sent += 1000) res.write('a'.repeat(1000))
      res.end('"}')
    } else if (req.url === '/declared-large') {
      // Announces more than maxBytes, then sends nothing: only the header can fail it in time.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(maxBytes + 1) })
      res.flushHeaders()
    }
    // '/hang' and anything else: never answered.
  }
}

/** The error a fetch rejects with, asserted to be a MetadataDocumentError. */
async function failureOf(fetching: Promise<unknown>, guardMs = 5000): Promise<MetadataDocumentError> {
  let guard: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      fetching,
      new Promise((_, reject) => (guard = setTimeout(() => reject(new Error(`no answer within ${guardMs} ms`)), guardMs))),
    ])
  } catch (err) {
    expect(err).to.be.instanceOf(MetadataDocumentError)
    return err as MetadataDocumentError
  } finally {
    clearTimeout(guard)
  }
  return expect.fail('the fetch succeeded')
}

/** A resolver answering from a script (its last answer repeated) and a connect that records and opens nothing. */
function recordingIo(...answers: ResolvedAddress[][]): Required<FetchIo> & { resolved: string[]; connected: ConnectOptions[] } {
  const resolved: string[] = []
  const connected: ConnectOptions[] = []
  return {
    resolved,
    connected,
    async resolve(hostname) {
      resolved.push(hostname)
      return answers[Math.min(resolved.length, answers.length) - 1] ?? []
    },
    connect(options) {
      connected.push(options)
      throw new Error('the recording connect opens no socket')
    },
  }
}

const answer = (address: string): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 })

describe('classifyAddress', () => {
  const cases: Record<AddressClass, string[]> = {
    public: ['8.8.8.8', '2606:4700::1', '172.32.0.1', '100.128.0.1', '::ffff:8.8.8.8', '64:ff9b::808:808'],
    loopback: ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::127.0.0.1', '64:ff9b::7f00:1'],
    private: [
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      'fd00::1',
      'fc00::1',
      '::ffff:10.0.0.1',
      '::ffff:c0a8:101',
      '64:ff9b::a00:1',
    ],
    'link-local': ['169.254.169.254', '169.254.0.1', 'fe80::1', 'fe80::1%eth0', '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe'],
    cgnat: ['100.64.0.1', '100.127.255.255', '::ffff:100.64.0.1'],
    multicast: ['224.0.0.1', '239.255.255.250', 'ff02::1', '::ffff:224.0.0.1'],
    unspecified: ['0.0.0.0', '0.1.2.3', '::', '::ffff:0.0.0.0'],
    reserved: ['240.0.0.1', '255.255.255.255', '192.0.2.1', '198.18.0.1', '2001:db8::1', '::127.0.0.1', '1::', 'not-an-ip'],
  }
  for (const [expected, addresses] of Object.entries(cases)) {
    it(`classifies ${addresses.join(', ')} as ${expected}`, () => {
      for (const address of addresses) expect(classifyAddress(address), address).to.equal(expected)
    })
  }
})

describe('isClientIdUrl', () => {
  it('accepts an https URL with a path, with or without a port', () => {
    expect(isClientIdUrl('https://client.example.com/oauth/metadata.json')).to.equal(true)
    expect(isClientIdUrl('https://client.example.com:8443/client')).to.equal(true)
  })

  it('refuses what the draft forbids: another scheme, no path, a fragment, a user, dot segments, a query', () => {
    for (const clientId of [
      'http://client.example.com/client',
      'https://client.example.com',
      'https://client.example.com/',
      'https://client.example.com/client#x',
      'https://client.example.com/client#',
      'https://user:pass@client.example.com/client',
      'https://@client.example.com/client',
      'https://client.example.com/a/../client',
      'https://client.example.com/./client',
      'https://client.example.com/a/%2E%2e/client',
      'https://client.example.com/client?x=1',
      'https://client.example.com/client?',
      'https://client.example.com/a\\..\\client',
      'https:///client',
      'my-client',
    ]) {
      expect(isClientIdUrl(clientId), clientId).to.equal(false)
    }
  })
})

describe('maxAgeOf', () => {
  it('reads max-age, answers 0 for no-store and no-cache, and nothing without the header', () => {
    expect(maxAgeOf('public, max-age=300')).to.equal(300)
    expect(maxAgeOf('max-age="60"')).to.equal(60)
    expect(maxAgeOf('max-age=300, no-store')).to.equal(0)
    expect(maxAgeOf('no-cache')).to.equal(0)
    expect(maxAgeOf('max-age=soon')).to.equal(0)
    expect(maxAgeOf('public')).to.equal(undefined)
    expect(maxAgeOf(undefined)).to.equal(undefined)
  })
})

describe('fetchMetadataDocument', () => {
  let cert: LocalhostCertificate
  let server: CountingServer
  let redirectTarget: CountingServer

  before(async () => {
    cert = await makeLocalhostCertificate()
  })
  beforeEach(async () => {
    redirectTarget = await countingServer(cert, documents(OPTIONS.maxBytes))
    server = await countingServer(cert, documents(OPTIONS.maxBytes, `https://localhost:${redirectTarget.port}/client.json`))
  })
  afterEach(async () => {
    await server.close()
    await redirectTarget.close()
  })

  const trusted = (allowHosts: string[] = ['localhost']): DocumentFetchOptions => ({ ...OPTIONS, allowHosts, ca: cert.cert })

  describe('refuses a host that is not public before connecting', () => {
    for (const host of ['localhost', '127.0.0.1', '[::1]', '[::ffff:127.0.0.1]']) {
      it(`refuses https://${host}/… and the loopback server sees no connection`, async () => {
        const url = new URL(`https://${host}:${server.port}/client.json`)
        const err = await failureOf(fetchMetadataDocument(url, { ...OPTIONS, ca: cert.cert }))
        expect(err.reason).to.equal('address not public')
        expect(server.connections).to.equal(0)
      })
    }

    it('refuses a host resolving to each class of non-public address, without a connection', async () => {
      for (const address of [
        '10.0.0.1',
        '172.16.0.1',
        '192.168.0.1',
        '169.254.169.254',
        '100.64.0.1',
        '224.0.0.1',
        '0.0.0.0',
        '240.0.0.1',
      ].concat(['127.0.0.1', '::1', 'fd00::1', 'fe80::1', 'ff02::1', '::', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::a00:1'])) {
        const io = recordingIo([answer(address)])
        const err = await failureOf(fetchMetadataDocument(new URL('https://evil.example/client.json'), OPTIONS, io))
        expect(err.reason, address).to.equal('address not public')
        expect(io.resolved, address).to.deep.equal(['evil.example'])
        expect(io.connected, address).to.deep.equal([])
      }
    })

    it('refuses a host resolving to a public and a private address', async () => {
      const io = recordingIo([answer(PUBLIC), answer('10.0.0.1')])
      const err = await failureOf(fetchMetadataDocument(new URL('https://evil.example/client.json'), OPTIONS, io))
      expect(err.reason).to.equal('address not public')
      expect(io.connected).to.deep.equal([])
    })

    it('refuses a non-public IP literal as it is, without resolving or connecting', async () => {
      for (const host of [
        '10.0.0.1',
        '169.254.169.254',
        '100.64.0.1',
        '[fd00::1]',
        '[fe80::1]',
        '[::ffff:a00:1]',
        '[64:ff9b::a9fe:a9fe]',
      ]) {
        const io = recordingIo([answer(PUBLIC)])
        const err = await failureOf(fetchMetadataDocument(new URL(`https://${host}/latest/meta-data`), OPTIONS, io))
        expect(err.reason, host).to.equal('address not public')
        expect(io.resolved, host).to.deep.equal([])
        expect(io.connected, host).to.deep.equal([])
      }
    })

    it('fails a host that does not resolve', async () => {
      const err = await failureOf(fetchMetadataDocument(new URL('https://nowhere.example/client.json'), OPTIONS, recordingIo([])))
      expect(err.reason).to.equal('dns failed')
    })
  })

  it('connects to the address it checked, with the name for SNI, however the name would resolve next (DNS rebinding)', async () => {
    const io = recordingIo([answer(PUBLIC)], [answer('127.0.0.1')])
    const err = await failureOf(fetchMetadataDocument(new URL('https://rebind.example:8443/client.json'), OPTIONS, io))
    expect(err.reason).to.equal('connection failed')
    expect(io.resolved).to.deep.equal(['rebind.example'])
    expect(io.connected.map(({ host, port, servername }) => ({ host, port, servername }))).to.deep.equal([
      { host: PUBLIC, port: 8443, servername: 'rebind.example' },
    ])
  })

  it('fetches the document of an allowed host trusted through ca, with its max-age', async () => {
    const fetched = await fetchMetadataDocument(new URL(`https://localhost:${server.port}/client.json`), trusted())
    expect(fetched).to.deep.equal({ document: DOCUMENT, maxAgeSeconds: 300 })
    expect(server.requests.map((r) => [r.path, r.headers.host])).to.deep.equal([['/client.json', `localhost:${server.port}`]])
    expect(server.connections).to.equal(1)
  })

  it('fetches from an allowed IP literal, checking the certificate against the IP', async () => {
    const fetched = await fetchMetadataDocument(new URL(`https://127.0.0.1:${server.port}/client.json`), trusted(['127.0.0.1']))
    expect(fetched.document).to.deep.equal(DOCUMENT)
  })

  it('fails without the ca: the self-signed certificate is not trusted', async () => {
    const err = await failureOf(
      fetchMetadataDocument(new URL(`https://localhost:${server.port}/client.json`), { ...OPTIONS, allowHosts: ['localhost'] }),
    )
    expect(err.reason).to.equal('untrusted certificate')
  })

  it('does not follow a 302: the redirect target sees no connection', async () => {
    const err = await failureOf(fetchMetadataDocument(new URL(`https://localhost:${server.port}/redirect`), trusted()))
    expect(err.reason).to.equal('redirect')
    expect(server.connections).to.equal(1)
    expect(redirectTarget.connections).to.equal(0)
  })

  it('fails a 404', async () => {
    const err = await failureOf(fetchMetadataDocument(new URL(`https://localhost:${server.port}/missing`), trusted()))
    expect(err.reason).to.equal('status 404')
  })

  it('fails a body that is not a JSON object, without quoting it', async () => {
    for (const path of ['/not-json', '/array']) {
      const err = await failureOf(fetchMetadataDocument(new URL(`https://localhost:${server.port}${path}`), trusted()))
      expect(err.reason, path).to.equal('not json')
      expect(err.message).not.to.include('secret-page-content')
      expect(err.cause).to.equal(undefined)
      expect([err.code, err.status, err.failure]).to.deep.equal(['invalid_client', 400, 'invalid'])
    }
  })

  it('stops reading a chunked body past maxBytes', async () => {
    const err = await failureOf(fetchMetadataDocument(new URL(`https://localhost:${server.port}/chunked`), trusted()))
    expect(err.reason).to.equal('too large')
  })

  it('fails at once on a Content-Length over maxBytes, without waiting for the body', async () => {
    const started = performance.now()
    const err = await failureOf(fetchMetadataDocument(new URL(`https://localhost:${server.port}/declared-large`), trusted()))
    expect(err.reason).to.equal('too large')
    expect(performance.now() - started).to.be.below(OPTIONS.timeoutMs)
  })

  it('gives up after timeoutMs on a server that never answers the request', async () => {
    const started = performance.now()
    const err = await failureOf(fetchMetadataDocument(new URL(`https://localhost:${server.port}/hang`), { ...trusted(), timeoutMs: 300 }))
    expect(err.reason).to.equal('timeout')
    expect(performance.now() - started).to.be.within(250, 1300)
  })

  it('gives up after timeoutMs on a server that never completes the TLS handshake', async () => {
    const sockets: Socket[] = []
    const silent = createTcpServer((socket) => sockets.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const url = new URL(`https://127.0.0.1:${(silent.address() as AddressInfo).port}/client.json`)
      const err = await failureOf(fetchMetadataDocument(url, { ...trusted(['127.0.0.1']), timeoutMs: 300 }))
      expect(err.reason).to.equal('timeout')
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })
})
