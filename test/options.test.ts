import { expect } from 'chai'
import { authcode, AuthcodeOptionsError, MemoryStore, OPTIONS_ERROR_CODES } from '../lib/index.js'
import { baseOptions } from './helpers/app.js'

describe('authcode() options', () => {
  const store = new MemoryStore()
  after(() => store.close())

  const fails = (options: unknown, message: RegExp, kind: keyof typeof OPTIONS_ERROR_CODES) => {
    let thrown: unknown
    try {
      authcode(options as never)
    } catch (err) {
      thrown = err
    }
    expect(thrown, 'authcode() did not throw').to.be.instanceOf(AuthcodeOptionsError)
    expect((thrown as AuthcodeOptionsError).code).to.equal(OPTIONS_ERROR_CODES[kind])
    expect((thrown as Error).message).to.match(message)
  }

  it('builds a router from valid options', () => {
    const auth = authcode(baseOptions({ store }))
    expect(auth).to.be.a('function')
    expect(auth.redeem).to.be.a('function')
  })

  it('names a missing issuer', () => fails({ ...baseOptions({ store }), issuer: undefined }, /"issuer" is required/, 'missing'))
  it('refuses an unknown option and suggests the one meant', () =>
    fails({ ...baseOptions({ store }), isuer: 'x' }, /"isuer" is not allowed \(did you mean "issuer"\?\)/, 'unknown'))
  it('suggests the right name for a misspelt client field', () =>
    fails(
      baseOptions({ store, clients: [{ id: 'a', redirectUri: ['https://a.example/cb'] } as never] }),
      /did you mean "redirectUris"/,
      'unknown',
    ))
  it('requires redis or store', () => fails({ ...baseOptions(), store: undefined }, /"redis" .* or "store"/, 'conflict'))
  it('refuses redis and store together', () =>
    fails({ ...baseOptions({ store }), redis: { sendCommand() {}, isOpen: true } }, /not both/, 'conflict'))
  it('refuses a redis option that is not a node-redis connection', () =>
    fails(
      { ...baseOptions(), redis: 'redis://localhost' },
      /"redis" must be a connected node-redis client.* or an ioredis Redis or Cluster/,
      'invalid',
    ))
  it('refuses a store that does not implement CodeStore', () =>
    fails({ ...baseOptions(), store: { save() {} } }, /"store" must implement CodeStore/, 'invalid'))
  it('refuses an http: issuer on a public host', () =>
    fails(baseOptions({ store, issuer: 'http://id.example.com/auth' }), /https:/, 'invalid'))
  it('refuses an issuer with a query', () =>
    fails(baseOptions({ store, issuer: 'https://id.example.com/auth?x=1' }), /query or fragment/, 'invalid'))
  it('refuses a redirect URI with a fragment', () =>
    fails(baseOptions({ store, clients: [{ id: 'a', redirectUris: ['https://a.example/cb#x'] }] }), /fragment/, 'invalid'))
  it('refuses a relative redirect URI', () =>
    fails(baseOptions({ store, clients: [{ id: 'a', redirectUris: ['/cb'] }] }), /absolute URI/, 'invalid'))
  it('refuses two clients with one id', () => fails(baseOptions({ store, clients: [{ id: 'a' }, { id: 'a' }] }), /duplicate/, 'invalid'))
  it('refuses an access token for an unknown client', () =>
    fails(baseOptions({ store, accessTokens: [{ token: 't'.repeat(32), clientId: 'ghost', scopes: [] }] }), /"ghost"/, 'reference'))
  it('refuses a client naming an integration that is not configured', () =>
    fails(baseOptions({ store, clients: [{ id: 'a', integration: 'shopify' }] }), /integration "shopify"/, 'reference'))
  it('refuses a rate limit without a window', () =>
    fails(baseOptions({ store, rateLimit: { perIp: { limit: 5 } as never } }), /windowMs/, 'missing'))
  it('refuses an integration schema that is neither Joi nor a Standard Schema validator', () =>
    fails(
      baseOptions({ store, integrations: { shop: { schema: { parse() {} } as never } } }),
      /"integrations" "shop.schema" must be a Joi schema or a Standard Schema validator/,
      'invalid',
    ))
  it('refuses an http://localhost redirect URI for a web client', () =>
    fails(
      baseOptions({ store, clients: [{ id: 'a', redirectUris: ['http://localhost/cb'] }] }),
      /on localhost for a native client/,
      'invalid',
    ))
  it('refuses a resource indicator with a fragment', () =>
    fails(baseOptions({ store, clients: [{ id: 'a', resources: ['https://api.example.com/#x'] }] }), /RFC 8707/, 'invalid'))
  it('refuses a client secret shorter than 16 characters', () =>
    fails(baseOptions({ store, clients: [{ id: 'a', secret: 'x' }] }), /"clients\[0\]\.secret" length must be at least 16/, 'invalid'))
  it('refuses durability without redis, since it waits for Redis replicas', () =>
    fails(baseOptions({ store, durability: { replicas: 1, timeoutMs: 100 } }), /"durability" waits for Redis replicas/, 'conflict'))
  it('refuses an object with a sendCommand but the shape of neither node-redis nor ioredis (no call)', () =>
    fails(
      { ...baseOptions(), redis: { sendCommand() {}, status: 'ready', options: {} } },
      /"redis" must be a connected node-redis client.* or an ioredis Redis or Cluster/,
      'invalid',
    ))
})
