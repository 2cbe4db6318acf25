import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { authcode, jwtAccessTokenIssuer, type AuthcodeRouter, type FindUserQuery } from '../lib/index.js'
import { MCP_SCOPE, mcpResourceUrl } from './mcp/resource.js'
import { authorizeErrorPage } from './routes/error-page.js'
import type { Stores } from './stores.js'
import { userByEmail, userById } from './users.js'

/** Where the app mounts express-authcode. */
export const AUTH_MOUNT = '/api/id/v1/auth'

/**
 * The magic-link landing page (`magicLinkUrl`). The browser-binding cookie is scoped to it, so the
 * pages that ask for a link and take a passcode live under it too.
 */
export const MAGIC_PATH = '/magic'

/** Wrong passcodes one grant takes before it burns (the router's `otp.maxAttempts`), which the passcode form counts down. */
export const PASSCODE_TRIES = 5

/** The app's secrets: its back-end callers' credentials, the at-rest key and the token signing key, made fresh at every start (nothing outside this process needs them). */
export interface ServiceCredentials {
  /** Bearer token of the account service, which asks `POST /codes` for magic-link codes. */
  accountServiceToken: string
  /** Client secret of the CRM, which calls Capture's `getAuthorizationCode`. */
  crmSecret: string
  /** `atRestKey`, kept out of Redis: a dump of it then opens no record and lets nobody try passcodes offline. */
  atRestKey: Buffer
  /**
   * The P-256 key the access tokens (RFC 9068 JWTs) are signed with. Its public half is at
   * `<issuer>/jwks`; tokens signed before a restart stop verifying, as the sessions end.
   */
  accessTokenKey: KeyObject
}

/**
 * A client on this machine that names itself by the URL of its metadata document, served by the
 * app's own HTTPS listener on loopback (see `mcp/client-document-server.ts`).
 */
export interface LoopbackClientDocuments {
  /** The host of the document's URL (`localhost`), fetched although it is not a public address. */
  host: string
  /** The PEM certificate the listener presents, which the router then trusts. */
  cert: string
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

/**
 * Builds the express-authcode router the way a production host would configure it. With
 * `loopbackDocuments`, metadata documents are also fetched from that loopback host, over TLS with
 * its certificate.
 */
export function createAuth(
  baseUrl: string,
  stores: Stores,
  credentials: ServiceCredentials,
  loopbackDocuments?: LoopbackClientDocuments,
): AuthcodeRouter {
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
        // A client that arrives by URL or by POST /register may ask only for scopes some configured
        // client has: listing the MCP server's scope here (a native app may well call it) is what
        // lets MCP clients ask for it at all.
        scopes: ['openid', 'profile', MCP_SCOPE],
      },
      { id: clients.crm.id, secret: credentials.crmSecret, captureRoles: ['access_issuer'], redirectUris: [clients.crm.redirectUri] },
      { id: clients.accountService.id },
    ],
    accessTokens: [{ token: credentials.accountServiceToken, clientId: clients.accountService.id, scopes: ['codes:issue'] }],
    loginUrl: '/login',
    consentUrl: '/consent',
    renderErrorPage: authorizeErrorPage,
    getAuthTime: (req) => req.session.signedInAt,
    magicLinkUrl: `${baseUrl}${MAGIC_PATH}`,
    otp: { maxAttempts: PASSCODE_TRIES },
    findUser,
    // RFC 9068 JWTs, which the MCP server (auth.protectedResource) verifies with the public key.
    issueTokens: jwtAccessTokenIssuer({ privateKey: credentials.accessTokenKey }),
    // Every code exchange also gets a refresh token of the router's, which rotates at each use.
    refreshTokens: true,
    // MCP clients: they send resource=<baseUrl>/mcp, and a request without one is for the MCP
    // server too (a JWT access token needs an audience).
    defaultResource: mcpResourceUrl(baseUrl),
    // An MCP client names itself by the https: URL of its metadata document (preferred by the MCP
    // spec) or registers at POST /register; either way it is public and asked for consent each time.
    clientIdMetadataDocuments: loopbackDocuments ? { allowHosts: [loopbackDocuments.host], ca: loopbackDocuments.cert } : true,
    dynamicRegistration: true,
    // Every client here must use PKCE (S256), which already stops a forged redirect (RFC 9700
    // §2.1); the MCP SDK sends state only when the client implements it, and its example client does not.
    requireState: false,
  })
}

/** Fresh random secrets for the app: its back-end callers' credentials, the at-rest key and the token signing key. */
export function newServiceCredentials(): ServiceCredentials {
  return {
    accountServiceToken: randomBytes(32).toString('base64url'),
    crmSecret: randomBytes(32).toString('base64url'),
    atRestKey: randomBytes(32),
    accessTokenKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  }
}

/** Resolves a Capture lookup (`uuid`, `id`, or `key_attribute=email`) against the user directory. */
function findUser({ uuid, id, keyAttribute, keyValue }: FindUserQuery): string | null {
  const user = uuid !== undefined || id !== undefined ? userById(uuid ?? id) : keyAttribute === 'email' ? userByEmail(keyValue) : undefined
  return user?.id ?? null
}
