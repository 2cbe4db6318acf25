import { expect } from 'chai'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as oauth from 'oauth4webapi'
import { MOUNT } from './helpers/app.js'
import { hostApp } from './helpers/host-app.js'

const REDIRECT = 'https://client.example/callback'

describe('GET /authorize with a real OAuth client (oauth4webapi)', () => {
  let server: Server
  let issuer: URL
  let issued = 0
  before(async () => {
    server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    // The issuer is only known once the port is, so the app is built after listen().
    issuer = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}${MOUNT}`)
    const { app } = hostApp({
      issuer: issuer.href,
      clients: [{ id: 'spa', redirectUris: [REDIRECT], scopes: ['openid', 'profile'] }],
      refreshTokens: true,
      issueTokens: (grant) => ({ access_token: `at-${++issued}-for-${grant.subject}`, token_type: 'Bearer', expires_in: 3600 }),
    })
    server.on('request', app)
  })
  after(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  const insecure = { [oauth.allowInsecureRequests]: true }
  const client: oauth.Client = { client_id: 'spa' }
  const discover = async () =>
    oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }))

  /** Signs alice in through /authorize as a browser would, and exchanges the code with oauth4webapi. */
  async function signIn(as: oauth.AuthorizationServer): Promise<oauth.TokenEndpointResponse> {
    const codeVerifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const authorizationUrl = new URL(as.authorization_endpoint as string)
    authorizationUrl.searchParams.set('client_id', client.client_id)
    authorizationUrl.searchParams.set('redirect_uri', REDIRECT)
    authorizationUrl.searchParams.set('response_type', 'code')
    authorizationUrl.searchParams.set('scope', 'openid profile')
    authorizationUrl.searchParams.set('state', state)
    authorizationUrl.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier))
    authorizationUrl.searchParams.set('code_challenge_method', 'S256')

    // Nobody is signed in: the browser is sent to the login page, signs in, and comes back.
    const toLogin = await fetch(authorizationUrl, { redirect: 'manual' })
    expect(toLogin.status).to.equal(303)
    const loginUrl = new URL(toLogin.headers.get('location') as string, authorizationUrl)
    const login = await fetch(new URL('/login', issuer), {
      method: 'POST',
      body: new URLSearchParams({ user: 'alice', return_to: loginUrl.searchParams.get('return_to') as string }),
      redirect: 'manual',
    })
    expect(login.status).to.equal(303)
    const cookie = (login.headers.get('set-cookie') as string).split(';')[0] as string
    const back = await fetch(new URL(login.headers.get('location') as string, issuer), { headers: { cookie }, redirect: 'manual' })
    expect(back.status).to.equal(303)

    const params = oauth.validateAuthResponse(as, client, new URL(back.headers.get('location') as string), state)
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, codeVerifier, insecure)
    return oauth.processAuthorizationCodeResponse(as, client, response)
  }

  it('discovers the metadata, signs in, validates the response with iss and exchanges the code', async () => {
    const as = await discover()
    expect(as.authorization_response_iss_parameter_supported).to.equal(true)
    const tokens = await signIn(as)
    expect(tokens.access_token).to.match(/^at-\d+-for-alice$/)
    expect(tokens.token_type).to.equal('bearer')
  })

  it('refreshes twice in a row, each answer carrying a new refresh token, and a replayed one revokes them all', async () => {
    const as = await discover()
    expect(as.grant_types_supported).to.include('refresh_token')
    const first = await signIn(as)
    expect(first.refresh_token).to.be.a('string')
    const refreshWith = async (token: string) =>
      oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), token, insecure))
    const second = await refreshWith(first.refresh_token as string)
    const third = await refreshWith(second.refresh_token as string)
    expect(new Set([first.access_token, second.access_token, third.access_token]).size).to.equal(3)
    expect(new Set([first.refresh_token, second.refresh_token, third.refresh_token]).size).to.equal(3)
    expect(third.access_token).to.match(/-for-alice$/)
    for (const replayed of [first.refresh_token, third.refresh_token]) {
      const error = await refreshWith(replayed as string).catch((err: unknown) => err)
      expect(error).to.be.instanceOf(oauth.ResponseBodyError).with.property('error', 'invalid_grant')
    }
  })

  it('makes validateAuthResponse throw the authorization error, with iss checked', async () => {
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }),
    )
    const client: oauth.Client = { client_id: 'spa' }
    const url = new URL(as.authorization_endpoint as string)
    url.search = new URLSearchParams({
      client_id: 'spa',
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'admin',
      state: 's1',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString()
    const res = await fetch(url, { redirect: 'manual' })
    expect(res.status).to.equal(303)
    const location = new URL(res.headers.get('location') as string)
    expect(() => oauth.validateAuthResponse(as, client, location, 's1'))
      .to.throw(oauth.AuthorizationResponseError)
      .with.property('error', 'invalid_scope')
    location.searchParams.set('iss', 'https://mix-up.example')
    expect(() => oauth.validateAuthResponse(as, client, location, 's1')).to.throw(oauth.OperationProcessingError)
  })
})
