import { expect } from 'chai'
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose'
import * as oauth from 'oauth4webapi'
import { AUTH_MOUNT, clientsFor } from '../example-app/auth.js'
import { startExampleApp, type RunningExampleApp } from '../example-app/start.js'
import { signInOnExampleApp } from './helpers/example-app-sign-in.js'

const insecure = { [oauth.allowInsecureRequests]: true } as const

/** A public client of the example app: `demo-client` (consent implicit) or `demo-native` (asked on every sign-in). */
interface DemoClient {
  client: oauth.Client
  redirectUri: string
  /** The example app shows its consent page before every code. */
  asksConsent: boolean
}

/** What the client keeps between its pushed request and the code coming back. */
interface Pending {
  requestUri: string
  state: string
  codeVerifier: string
}

/** The thumbprint (RFC 7638) of a key pair's public key, as `cnf.jkt` and `dpop_jkt` carry it. */
async function thumbprintOf(keyPair: oauth.CryptoKeyPair): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(keyPair.publicKey))
}

/** The error a refused token request makes oauth4webapi throw. */
async function refusal(request: Promise<unknown>): Promise<unknown> {
  return request.then(
    () => expect.fail('the token endpoint answered 200'),
    (err: unknown) => err,
  )
}

describe('PAR, PKCE and DPoP against the example app with a real OAuth client (oauth4webapi)', function () {
  let app: RunningExampleApp
  let as: oauth.AuthorizationServer
  let webClient: DemoClient
  let nativeClient: DemoClient

  before(async function () {
    app = await startExampleApp({ port: 0, host: '127.0.0.1' })
    const issuer = new URL(`${app.url}${AUTH_MOUNT}`)
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }))
    const { demoClient, demoNative } = clientsFor(app.url)
    webClient = { client: { client_id: demoClient.id }, redirectUri: demoClient.redirectUri, asksConsent: false }
    nativeClient = { client: { client_id: demoNative.id }, redirectUri: demoNative.redirectUri, asksConsent: true }
  })

  after(async function () {
    await app?.stop()
  })

  /** Pushes the client's authorization request (PKCE, state and `extra`), sending a DPoP proof with `dpop`. */
  async function push(demo: DemoClient, extra: Record<string, string> = {}, dpop?: oauth.DPoPHandle): Promise<Pending> {
    const codeVerifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const params = {
      response_type: 'code',
      redirect_uri: demo.redirectUri,
      scope: 'openid profile',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ...extra,
    }
    const response = await oauth.pushedAuthorizationRequest(as, demo.client, oauth.None(), params, { ...insecure, DPoP: dpop })
    const { request_uri: requestUri, expires_in: expiresIn } = await oauth.processPushedAuthorizationResponse(as, demo.client, response)
    expect(requestUri).to.match(/^urn:ietf:params:oauth:request_uri:/)
    expect(expiresIn).to.equal(60)
    return { requestUri, state, codeVerifier }
  }

  /**
   * The user's part: open `/authorize` with only `client_id` and `request_uri`, sign in as Grace
   * Hopper on the example app's sign-in page, approve the client on its consent page when (and
   * only when) it asks, and take the redirect back to the client, validated with its state.
   */
  async function signInThroughBrowser(demo: DemoClient, pending: Pending): Promise<URLSearchParams> {
    const authorizationUrl = new URL(as.authorization_endpoint as string)
    authorizationUrl.search = new URLSearchParams({ client_id: demo.client.client_id, request_uri: pending.requestUri }).toString()
    const { consentPage, redirect } = await signInOnExampleApp(app, authorizationUrl)
    if (demo.asksConsent) expect(consentPage).to.include('Allow Demo native app?')
    else expect(consentPage, 'no consent page').to.equal(undefined)
    expect(redirect.origin + redirect.pathname).to.equal(demo.redirectUri)
    return oauth.validateAuthResponse(as, demo.client, redirect, pending.state)
  }

  /** The code exchange, with a DPoP proof when `dpop` is given; the raw answer's `token_type` beside oauth4webapi's reading of it. */
  async function exchange(demo: DemoClient, pending: Pending, params: URLSearchParams, dpop?: oauth.DPoPHandle) {
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      demo.client,
      oauth.None(),
      params,
      demo.redirectUri,
      pending.codeVerifier,
      {
        ...insecure,
        DPoP: dpop,
      },
    )
    const sent = (await response.clone().json()) as { token_type?: unknown }
    return { tokenType: sent.token_type, tokens: await oauth.processAuthorizationCodeResponse(as, demo.client, response) }
  }

  const refresh = async (demo: DemoClient, refreshToken: string, dpop?: oauth.DPoPHandle) =>
    oauth.processRefreshTokenResponse(
      as,
      demo.client,
      await oauth.refreshTokenGrantRequest(as, demo.client, oauth.None(), refreshToken, { ...insecure, DPoP: dpop }),
    )

  it('discovers the pushed authorization request endpoint and the DPoP algorithms', function () {
    expect(as.pushed_authorization_request_endpoint).to.equal(`${app.url}${AUTH_MOUNT}/par`)
    expect(as.require_pushed_authorization_requests).to.equal(false)
    expect(as.dpop_signing_alg_values_supported).to.include('ES256')
  })

  it('signs in with PAR and PKCE alone, and gets a Bearer token that refreshes without a proof', async function () {
    const pending = await push(webClient)
    const { tokenType, tokens } = await exchange(webClient, pending, await signInThroughBrowser(webClient, pending))
    expect(tokenType).to.equal('Bearer')
    const claims = decodeJwt(tokens.access_token)
    expect(claims).to.include({ sub: 'user-grace', client_id: 'demo-client', scope: 'openid profile' })
    expect(claims.cnf).to.equal(undefined)
    const refreshed = await refresh(webClient, tokens.refresh_token as string)
    expect(refreshed.token_type).to.equal('bearer')
    expect(refreshed.refresh_token).to.be.a('string').and.not.equal(tokens.refresh_token)
  })

  it('signs in with PAR (dpop_jkt), PKCE and DPoP through sign-in and consent; the tokens are bound to the key', async function () {
    const keyPair = await oauth.generateKeyPair('ES256')
    const dpop = oauth.DPoP(nativeClient.client, keyPair)
    const jkt = await thumbprintOf(keyPair)
    expect(await dpop.calculateThumbprint()).to.equal(jkt)
    const pending = await push(nativeClient, { dpop_jkt: jkt })
    const { tokenType, tokens } = await exchange(nativeClient, pending, await signInThroughBrowser(nativeClient, pending), dpop)
    expect(tokenType).to.equal('DPoP')
    expect(tokens.token_type).to.equal('dpop')
    const claims = decodeJwt(tokens.access_token)
    expect(claims).to.include({ sub: 'user-grace', client_id: 'demo-native' })
    expect(claims.cnf).to.deep.equal({ jkt })

    // The refresh token is bound to the key too: a proof of it refreshes, and the successor is bound the same way.
    const refreshed = await refresh(nativeClient, tokens.refresh_token as string, dpop)
    expect(refreshed.token_type).to.equal('dpop')
    expect(decodeJwt(refreshed.access_token).cnf).to.deep.equal({ jkt })
    const successor = refreshed.refresh_token as string
    const otherKey = oauth.DPoP(nativeClient.client, await oauth.generateKeyPair('ES256'))
    for (const [why, proof] of [
      ['no proof', undefined],
      ["another key's proof", otherKey],
    ] as const) {
      const error = await refusal(refresh(nativeClient, successor, proof))
      expect(error, why).to.be.instanceOf(oauth.ResponseBodyError).with.property('error', 'invalid_grant')
    }
  })

  it('refuses a code bound by dpop_jkt when the token request brings no proof, or a proof of another key', async function () {
    const keyPair = await oauth.generateKeyPair('ES256')
    const otherKey = oauth.DPoP(nativeClient.client, await oauth.generateKeyPair('ES256'))
    for (const proof of [undefined, otherKey]) {
      const pending = await push(nativeClient, { dpop_jkt: await thumbprintOf(keyPair) })
      const params = await signInThroughBrowser(nativeClient, pending)
      const error = await refusal(exchange(nativeClient, pending, params, proof))
      expect(error, proof ? 'another key' : 'no proof')
        .to.be.instanceOf(oauth.ResponseBodyError)
        .with.property('error', 'invalid_grant')
    }
  })

  it('binds the code to the key of a DPoP proof sent to /par (RFC 9449 §10.1)', async function () {
    const keyPair = await oauth.generateKeyPair('ES256')
    const dpop = oauth.DPoP(nativeClient.client, keyPair)
    const bound = await push(nativeClient, {}, dpop)
    const { tokens } = await exchange(nativeClient, bound, await signInThroughBrowser(nativeClient, bound), dpop)
    expect(decodeJwt(tokens.access_token).cnf).to.deep.equal({ jkt: await thumbprintOf(keyPair) })

    const stolen = await push(nativeClient, {}, dpop)
    const params = await signInThroughBrowser(nativeClient, stolen)
    const otherKey = oauth.DPoP(nativeClient.client, await oauth.generateKeyPair('ES256'))
    const error = await refusal(exchange(nativeClient, stolen, params, otherKey))
    expect(error).to.be.instanceOf(oauth.ResponseBodyError).with.property('error', 'invalid_grant')
  })
})
