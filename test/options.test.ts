import { expect } from 'chai'
import { authcode, AuthcodeOptionsError, MemoryStore } from '../lib/index.js'
import { baseOptions } from './helpers/app.js'

describe('authcode() options', () => {
  const store = new MemoryStore()
  after(() => store.close())

  const fails = (options: unknown, message: RegExp) => {
    let thrown: unknown
    try {
      authcode(options as never)
    } catch (err) {
      thrown = err
    }
    expect(thrown, 'authcode() did not throw').to.be.instanceOf(AuthcodeOptionsError)
    expect((thrown as AuthcodeOptionsError).code).to.equal('ERR_AUTHCODE_OPTIONS')
    expect((thrown as Error).message).to.match(message)
  }

  it('builds a router from valid options', () => {
    const auth = authcode(baseOptions({ store }))
    expect(auth).to.be.a('function')
    expect(auth.redeem).to.be.a('function')
  })

  it('names a missing issuer', () => fails({ ...baseOptions({ store }), issuer: undefined }, /"issuer" is required/))
  it('refuses an unknown option and suggests the one meant', () =>
    fails({ ...baseOptions({ store }), isuer: 'x' }, /"isuer" is not allowed \(did you mean "issuer"\?\)/))
  it('suggests the right name for a misspelt client field', () =>
    fails(baseOptions({ store, clients: [{ id: 'a', redirectUri: ['https://a.example/cb'] } as never] }), /did you mean "redirectUris"/))
  it('requires redis or store', () => fails({ ...baseOptions(), store: undefined }, /"redis" .* or "store"/))
  it('refuses redis and store together', () => fails({ ...baseOptions({ store }), redis: { sendCommand() {} } }, /not both/))
  it('refuses a redis option that is not a node-redis connection', () =>
    fails({ ...baseOptions(), redis: 'redis://localhost' }, /"redis" must be a node-redis client/))
  it('refuses a store that does not implement CodeStore', () =>
    fails({ ...baseOptions(), store: { save() {} } }, /"store" must implement CodeStore/))
  it('refuses an http: issuer on a public host', () => fails(baseOptions({ store, issuer: 'http://id.example.com/auth' }), /https:/))
  it('refuses an issuer with a query', () => fails(baseOptions({ store, issuer: 'https://id.example.com/auth?x=1' }), /query or fragment/))
  it('refuses a redirect URI with a fragment', () =>
    fails(baseOptions({ store, clients: [{ id: 'a', redirectUris: ['https://a.example/cb#x'] }] }), /fragment/))
  it('refuses a relative redirect URI', () => fails(baseOptions({ store, clients: [{ id: 'a', redirectUris: ['/cb'] }] }), /absolute URI/))
  it('refuses two clients with one id', () => fails(baseOptions({ store, clients: [{ id: 'a' }, { id: 'a' }] }), /duplicate/))
  it('refuses an access token for an unknown client', () =>
    fails(baseOptions({ store, accessTokens: [{ token: 't'.repeat(32), clientId: 'ghost', scopes: [] }] }), /"ghost"/))
  it('refuses a client naming an integration that is not configured', () =>
    fails(baseOptions({ store, clients: [{ id: 'a', integration: 'shopify' }] }), /integration "shopify"/))
  it('refuses a rate limit without a window', () => fails(baseOptions({ store, rateLimit: { perIp: { limit: 5 } as never } }), /windowMs/))
})
