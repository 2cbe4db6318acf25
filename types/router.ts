import type { Request, Response, Router } from 'express'
import type { AuthcodeEventHandler, AuthcodeEventType } from './events.js'
import type { Grant, RedeemExpectation } from './grant.js'
import type { AuthcodeHealth } from './health.js'
import type { MagicLinkLandingOptions } from './landing.js'
import type { AuthorizationServerMetadata } from './metadata.js'
import type { ClientDescription } from './options.js'
import type { JsonWebKeySet, ProtectedResource, ProtectedResourceOptions } from './resource.js'

/** The router `authcode()` returns: mount it with `app.use(path, auth)`. */
export interface AuthcodeRouter extends Router {
  /** Subscribes to an event; handlers are awaited in order before the response. */
  on<T extends AuthcodeEventType>(type: T, handler: AuthcodeEventHandler<T>): this
  /**
   * Consumes a code exactly once and resolves its grant (e.g. on a magic-link landing page).
   * `expect.kind` is required: without it, it rejects with a `TypeError` and consumes nothing.
   * @throws InvalidGrantError for an unknown, expired, used or mismatching code.
   */
  redeem(code: string, expect: RedeemExpectation): Promise<Grant>
  /**
   * Records, in the signed-in user's session, that they approved `clientId` for `scope` on the
   * host's consent page, for the authorization request `returnTo` (the page's `return_to`); send
   * the browser back there afterwards. The approval answers that request only, and only if
   * `/authorize` sent it to the consent page before; for a `consent: 'required'` client it is
   * used up by the code, and the next request asks again. A `consent: 'remember'` client's
   * approvals are kept for the session.
   * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.6
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.2
   * @throws TypeError when nobody is signed in, the client is unknown or `returnTo` is missing.
   */
  grantConsent(req: Request, consent: ConsentInput): Promise<void>
  /**
   * Records that the signed-in user refused `clientId` for the request `returnTo`: back at
   * `/authorize`, the client gets `access_denied`.
   * @throws TypeError when nobody is signed in, the client is unknown or `returnTo` is missing.
   */
  denyConsent(req: Request, consent: ConsentInput): Promise<void>
  /**
   * What a consent page shows of a client: its registered `name`, `uri` and `logoUri`, and the
   * hosts of its redirect URIs, where its codes go; `null` for an unknown client. Show this,
   * not what the request or the consent URL says.
   * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.6
   */
  describeClient(clientId: string): Promise<ClientDescription | null>
  /**
   * Redeems the one live passcode of (client, user) that `POST /codes` issued with `otp: true`,
   * exactly once, consuming its magic-link code with it. Each wrong passcode counts against its
   * grant (the last allowed one burns it) and against the user's `otp.maxFailuresPerWindow`
   * across grants (past it, every passcode of the user is refused and the live one burned until
   * the window ends). A passcode of a code issued with a `code_challenge` redeems only with its
   * verifier; without it, it is refused and nothing is counted or spent.
   * @throws InvalidGrantError with one description for an unknown subject and a wrong, burned,
   * locked, mismatched or spent passcode alike, after the same store round trips.
   * @throws StoreUnavailableError when the store does not answer, or with `durability` too few replicas acknowledge.
   */
  redeemOtp(passcode: PasscodeRedemption): Promise<Grant>
  /**
   * Deletes every live magic-link code and passcode of `subject` (of one client, or of all), e.g.
   * after a reported phishing mail; fires `authorization.CodesRevoked` and resolves how many.
   * With `durability`, it resolves only once the replicas hold the deletions, so a failover cannot
   * bring a revoked link back.
   * @throws StoreUnavailableError when the store does not answer, or too few replicas acknowledge in time.
   */
  revokeCodes(revocation: Revocation): Promise<number>
  /**
   * "Sign out everywhere": revokes every refresh-token family of `subject` (of one client, or of
   * all), so that none of its refresh tokens works any more, and deletes every live magic-link
   * code and passcode of the user as {@link AuthcodeRouter.revokeCodes} does; fires
   * `authorization.GrantsRevoked` and resolves how many of each. With `durability`, it resolves
   * only once the replicas hold the revocations. Access tokens the host minted are the host's to
   * revoke (the event says whose).
   * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
   * @throws StoreUnavailableError when the store does not answer, or too few replicas acknowledge in time.
   */
  revokeGrants(revocation: Revocation): Promise<GrantsRevocation>
  /**
   * The scanner-safe landing page of magic links, a router to mount at the path of `magicLinkUrl`
   * (`app.use('/login/magic', auth.magicLinkLanding({ signIn }))`). `GET` and `HEAD` never spend
   * the code: they show `confirm` (a button that POSTs it back with a CSRF token bound to this
   * browser), `other-browser` (a bound link without its verifier), `used` or `error`. The `POST`
   * redeems it and calls `signIn(grant, req, res)`, which answers. With `crossDevice`, it also
   * serves the waiting page of `wait_url` and the approval, on another device, of a bound link
   * (SPEC §3.5c), and `POST /codes` answers `wait_url` from then on.
   * @throws AuthcodeOptionsError without `magicLinkUrl`, for a missing or unknown option, or for
   * `crossDevice` on a store without `approvalStore`.
   */
  magicLinkLanding(options: MagicLinkLandingOptions): Router
  /**
   * Binds the magic links this browser asks for to it: sets the binding cookie (a random PKCE
   * verifier with a MAC under a server key, `HttpOnly`, `SameSite=Lax`; with an `https:`
   * `magicLinkUrl` named `__Host-authcode_binding`, always `Secure`, `Path=/`; with `http:` on the
   * landing page's path) and returns the `code_challenge` (S256) to send to `POST /codes`. A
   * verifier this router set is kept; a planted or forged one is replaced. Over `http:`, call it
   * on a request under the landing page's path, which the cookie reaches.
   * @throws AuthcodeOptionsError without `magicLinkUrl`.
   */
  bindBrowser(req: Request, res: Response): string
  /**
   * The verifier of the browser's binding cookie, for `auth.redeemOtp({ …, codeVerifier })` on the
   * host's passcode page (over `http:`, under the landing page's path, which the cookie reaches);
   * `undefined` for a cookie without this router's MAC.
   * @throws AuthcodeOptionsError without `magicLinkUrl`.
   */
  browserVerifier(req: Request): string | undefined
  /** The RFC 8414 metadata document, also served at `/.well-known/oauth-authorization-server` under the mount path. */
  readonly metadata: AuthorizationServerMetadata
  /** The root path RFC 8414 §3.1 puts the document at, for the host to serve `metadata` there too. */
  readonly metadataPath: string
  /**
   * The public JWK Set of the access tokens, when `issueTokens` is a `jwtAccessTokenIssuer`
   * (also served at `<issuer>/jwks`); `undefined` otherwise. Never holds a private member.
   * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
   */
  readonly jwks: JsonWebKeySet | undefined
  /**
   * The resource-server side, for an API (an MCP server) that takes this router's access tokens:
   * a router to mount at the app's root (`app.use(auth.protectedResource({ resource }))`) that
   * serves the RFC 9728 document of `resource` at `/.well-known/oauth-protected-resource<path>`,
   * and whose `requireBearer(scopes?)` guards the API's routes.
   * @see https://www.rfc-editor.org/rfc/rfc9728#section-3
   * @throws AuthcodeOptionsError when `issueTokens` is not a `jwtAccessTokenIssuer`, or for a bad `resource` or `scopes`.
   */
  protectedResource(options: ProtectedResourceOptions): ProtectedResource
  /**
   * For a readiness probe: whether the store answers (and how fast), and whether Redis may evict
   * what single use depends on (`ok` is false then). Never rejects.
   */
  health(): Promise<AuthcodeHealth>
}

/** What the host's consent page passes to `auth.grantConsent()` / `auth.denyConsent()`. */
export interface ConsentInput {
  clientId: string
  /** The scope approved: space-separated, as `/authorize` passed it to the page, or a list. */
  scope?: string | readonly string[]
  /**
   * The `return_to` the consent page was given: the authorization request the decision answers.
   * An approval answers that request only (a client with `consent: 'required'` is asked on
   * every request); the page sends the browser back to it.
   * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.6
   */
  returnTo: string
}

/** What `auth.redeemOtp()` is given: whose passcode, the passcode typed, and the binding verifier if the browser has one. */
export interface PasscodeRedemption {
  clientId: string
  subject: string
  otp: string
  /** The verifier of a code issued with a `code_challenge` (same-browser binding); ignored for a code issued without one. */
  codeVerifier?: string
}

/** What `auth.revokeCodes()` is given: the user, and the client whose codes go (all clients' when absent). */
export interface Revocation {
  subject: string
  clientId?: string
}

/** What `auth.revokeGrants()` revoked. */
export interface GrantsRevocation {
  /** Refresh-token families: none of their tokens works any more. */
  families: number
  /** Live magic-link codes (with their passcodes). */
  codes: number
}
