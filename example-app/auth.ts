import { randomBytes } from 'node:crypto'
import { authcode, type AuthcodeRouter, type FindUserQuery, type Grant } from '../lib/index.js'
import type { Stores } from './stores.js'
import { userByEmail, userById } from './users.js'

/** Where the app mounts express-authcode. */
export const AUTH_MOUNT = '/api/id/v1/auth'

/**
 * The magic-link landing page (`magicLinkUrl`). The browser-binding cookie is scoped to it, so the
 * pages that ask for a link and take a passcode live under it too.
 */
export const MAGIC_PATH = '/magic'

/** The app's secrets: its back-end callers' credentials and the at-rest key, made fresh at every start (nothing outside this process needs them). */
export interface ServiceCredentials {
  /** Bearer token of the account service, which asks `POST /codes` for magic-link codes. */
  accountServiceToken: string
  /** Client secret of the CRM, which calls Capture's `getAuthorizationCode`. */
  crmSecret: string
  /** `atRestKey`, kept out of Redis: a dump of it then opens no record and lets nobody try passcodes offline. */
  atRestKey: Buffer
}

/** The registered clients' ids, redirect URIs (derived from the app's public URL) and, for the demo clients, what users see them called. */
export function clientsFor(baseUrl: string) {
  return {
    demoClient: { id: 'demo-client', name: 'Demo OAuth client', redirectUri: `${baseUrl}/demo-client/callback` },
    demoNative: { id: 'demo-native', name: 'Demo native app', redirectUri: `${baseUrl}/demo-native/callback` },
    crm: { id: 'crm', redirectUri: `${baseUrl}/capture-demo/callback` },
    /** The app's own back end, which asks `POST /codes` for magic links. */
    accountService: { id: 'account-service' },
  }
}

/** Builds the express-authcode router the way a production host would configure it. */
export function createAuth(baseUrl: string, stores: Stores, credentials: ServiceCredentials): AuthcodeRouter {
  const clients = clientsFor(baseUrl)
  return authcode({
    ...stores.codes,
    atRestKey: credentials.atRestKey,
    issuer: `${baseUrl}${AUTH_MOUNT}`,
    clients: [
      {
        id: clients.demoClient.id,
        name: clients.demoClient.name,
        redirectUris: [clients.demoClient.redirectUri],
        scopes: ['openid', 'profile', 'email'],
        // This app's own page, so no consent page. Said explicitly: on an http: BASE_URL its
        // redirect URI is a loopback one, which any local program could claim, and such a
        // client is asked on every sign-in unless told otherwise (RFC 8252 §8.6).
        consent: 'implicit',
      },
      // A native client: consent is required by default, on every sign-in (RFC 8252 §8.6).
      {
        id: clients.demoNative.id,
        name: clients.demoNative.name,
        applicationType: 'native',
        redirectUris: [clients.demoNative.redirectUri],
        scopes: ['openid', 'profile'],
      },
      { id: clients.crm.id, secret: credentials.crmSecret, captureRoles: ['access_issuer'], redirectUris: [clients.crm.redirectUri] },
      { id: clients.accountService.id },
    ],
    accessTokens: [{ token: credentials.accountServiceToken, clientId: clients.accountService.id, scopes: ['codes:issue'] }],
    loginUrl: '/login',
    consentUrl: '/consent',
    getAuthTime: (req) => req.session.signedInAt,
    magicLinkUrl: `${baseUrl}${MAGIC_PATH}`,
    findUser,
    issueTokens,
    // Every code exchange also gets a refresh token of the router's, which rotates at each use.
    refreshTokens: true,
  })
}

/** Fresh random secrets for the app: its back-end callers' credentials and the at-rest key. */
export function newServiceCredentials(): ServiceCredentials {
  return {
    accountServiceToken: randomBytes(32).toString('base64url'),
    crmSecret: randomBytes(32).toString('base64url'),
    atRestKey: randomBytes(32),
  }
}

/** Resolves a Capture lookup (`uuid`, `id`, or `key_attribute=email`) against the user directory. */
function findUser({ uuid, id, keyAttribute, keyValue }: FindUserQuery): string | null {
  const user = uuid !== undefined || id !== undefined ? userById(uuid ?? id) : keyAttribute === 'email' ? userByEmail(keyValue) : undefined
  return user?.id ?? null
}

/** Mints an opaque demo access token; a real host would sign a JWT or store the token. */
function issueTokens(grant: Grant) {
  return {
    access_token: `demo_${randomBytes(24).toString('base64url')}`,
    token_type: 'Bearer',
    expires_in: 3600,
    ...(grant.scope === undefined ? {} : { scope: grant.scope }),
  }
}
