import { expect } from 'chai'
import request from 'supertest'
import { AuthcodeOptionsError, MemoryStore, authcode } from '../lib/index.js'
import { appendQuery } from '../lib/engine/redirect-uri.js'
import type { ClientOptions } from '../types/index.js'
import { WEB_REDIRECT, baseOptions } from './helpers/app.js'
import { AUTHORIZE, authorizeQuery, hostApp, locationParams, signedIn } from './helpers/host-app.js'

describe('redirect URIs', () => {
  describe('GET /authorize matching', () => {
    // Registered: https://shop.example.com/callback
    const variants: Array<[string, string]> = [
      ['a prefix', 'https://shop.example.com/call'],
      ['the origin alone', 'https://shop.example.com'],
      ['a suffix on the path', 'https://shop.example.com/callbackx'],
      ['a further path segment', 'https://shop.example.com/callback/evil'],
      ['an added query', 'https://shop.example.com/callback?next=https://evil.example'],
      ['a fragment', 'https://shop.example.com/callback#x'],
      ['an upper-case host', 'https://SHOP.example.com/callback'],
      ['an upper-case path', 'https://shop.example.com/Callback'],
      ['an upper-case scheme', 'HTTPS://shop.example.com/callback'],
      ['the default port spelt out', 'https://shop.example.com:443/callback'],
      ['another port', 'https://shop.example.com:8443/callback'],
      ['a trailing slash', 'https://shop.example.com/callback/'],
      ['a percent-encoded letter', 'https://shop.example.com/%63allback'],
      ['a percent-encoded slash', 'https://shop.example.com/callback%2F'],
      ['a trailing dot on the host', 'https://shop.example.com./callback'],
      ['user info in front of another host', 'https://shop.example.com@evil.example/callback'],
      ['a parent-segment path', 'https://shop.example.com/x/../callback'],
      ['http instead of https', 'http://shop.example.com/callback'],
      ['a sub-domain', 'https://evil.shop.example.com/callback'],
      ['surrounding whitespace', ` ${WEB_REDIRECT}`],
    ]
    for (const [variant, uri] of variants) {
      it(`refuses ${variant} of a registered URI with 400 and no redirect`, async () => {
        const { app } = hostApp()
        const agent = await signedIn(app)
        const res = await agent.get(`${AUTHORIZE}?${authorizeQuery({ redirect_uri: uri })}`).expect(400)
        expect(res.headers.location).to.equal(undefined)
        expect(res.body.errors[0].pointer).to.equal('#/query/redirect_uri')
      })
    }

    const native: ClientOptions = {
      id: 'cli',
      applicationType: 'native',
      // These tests are about redirect URIs, not about asking the user.
      consent: 'implicit',
      redirectUris: ['http://127.0.0.1/cb', 'http://[::1]:8080/cb', 'com.example.app:/oauth', 'http://localhost/callback'],
      scopes: ['openid'],
    }
    const web: ClientOptions = { id: 'dev', redirectUris: ['http://127.0.0.1:3000/cb'], scopes: ['openid'], consent: 'implicit' }

    for (const uri of [
      'http://127.0.0.1:51004/cb',
      'http://127.0.0.1/cb',
      'http://[::1]:61023/cb',
      'com.example.app:/oauth',
      'http://localhost:49152/callback',
      'http://localhost/callback',
    ]) {
      it(`accepts ${uri} for a native client (any loopback port, RFC 8252 §7.3)`, async () => {
        const { app } = hostApp({ clients: [native] })
        const agent = await signedIn(app)
        const res = await agent.get(`${AUTHORIZE}?${authorizeQuery({ client_id: 'cli', redirect_uri: uri })}`).expect(303)
        expect(res.headers.location?.startsWith(`${uri}?code=`)).to.equal(true)
      })
    }

    for (const uri of [
      'http://127.0.0.1:51004/cb/',
      'http://127.0.0.1:51004/other',
      'http://localhost:51004/cb',
      'http://127.0.0.2:51004/cb',
      'http://127.0.0.1:51004@evil.example/cb',
      'http://localhost.evil.example:51004/callback',
      'http://127.0.0.1:51004/callback',
      'https://127.0.0.1:51004/cb',
    ]) {
      it(`refuses ${uri} for a native client registered with http://127.0.0.1/cb`, async () => {
        const { app } = hostApp({ clients: [native] })
        const res = await request(app)
          .get(`${AUTHORIZE}?${authorizeQuery({ client_id: 'cli', redirect_uri: uri })}`)
          .expect(400)
        expect(res.headers.location).to.equal(undefined)
      })
    }

    it('refuses another loopback port for a web client', async () => {
      const { app } = hostApp({ clients: [web] })
      const res = await request(app)
        .get(`${AUTHORIZE}?${authorizeQuery({ client_id: 'dev', redirect_uri: 'http://127.0.0.1:3001/cb' })}`)
        .expect(400)
      expect(res.headers.location).to.equal(undefined)
    })

    it('accepts the exact loopback URI of a web client', async () => {
      const { app } = hostApp({ clients: [web] })
      const res = await request(app)
        .get(`${AUTHORIZE}?${authorizeQuery({ client_id: 'dev', redirect_uri: 'http://127.0.0.1:3000/cb', response_type: 'token' })}`)
        .expect(303)
      expect(locationParams(res.headers.location).get('error')).to.equal('unsupported_response_type')
    })
  })

  describe('registration at authcode()', () => {
    const refused: Array<[string, string, RegExp]> = [
      ['a relative URI', '/callback', /absolute URI/],
      ['a fragment', 'https://shop.example.com/callback#done', /fragment/],
      ['http: on a public host', 'http://shop.example.com/callback', /loopback/],
      ['http: on localhost (not an IP literal)', 'http://localhost:3000/callback', /loopback/],
      ['a javascript: URI', 'javascript:alert(1)', /javascript:/],
      ['a data: URI', 'data:text/html,hi', /data:/],
      ['a space', 'https://shop.example.com/call back', /printable ASCII/],
      ['non-ASCII characters', 'https://shop.example.com/rückruf', /printable ASCII/],
    ]
    for (const [what, uri, message] of refused) {
      it(`refuses a redirect URI with ${what}, naming the option`, () => {
        expect(() => authcode(baseOptions({ clients: [{ id: 'web', redirectUris: [uri] }], store: new MemoryStore() })))
          .to.throw(AuthcodeOptionsError, /redirectUris/)
          .with.property('message')
          .that.matches(message)
      })
    }

    for (const uri of [
      'https://shop.example.com/callback?tenant=a',
      'http://127.0.0.1:8080/cb',
      'http://[::1]/cb',
      'com.example.app:/oauth',
    ]) {
      it(`accepts ${uri}`, () => {
        expect(() => authcode(baseOptions({ clients: [{ id: 'web', redirectUris: [uri] }], store: new MemoryStore() }))).not.to.throw()
      })
    }

    for (const loginUrl of ['//evil.example/login', 'login', 'javascript:alert(1)']) {
      it(`refuses loginUrl ${loginUrl}`, () => {
        expect(() => authcode(baseOptions({ loginUrl, store: new MemoryStore() }))).to.throw(AuthcodeOptionsError, /loginUrl/)
      })
    }
  })

  describe('appendQuery', () => {
    it('adds parameters after an existing query and before a fragment, encoding values', () => {
      expect(appendQuery('https://a.example/cb', { code: 'x y', state: undefined })).to.equal('https://a.example/cb?code=x+y')
      expect(appendQuery('https://a.example/cb?t=1', { code: 'c' })).to.equal('https://a.example/cb?t=1&code=c')
      expect(appendQuery('https://a.example/cb?', { code: 'c' })).to.equal('https://a.example/cb?code=c')
      expect(appendQuery('/login#top', { return_to: '/a?b=c&d' })).to.equal('/login?return_to=%2Fa%3Fb%3Dc%26d#top')
    })
  })
})
