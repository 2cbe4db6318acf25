import type { Request, Response, Router } from 'express'
import type { AuthcodeEventHandler, AuthcodeEventType } from '../types/events.js'
import type { AuthcodeHealth } from '../types/health.js'
import type { Grant, RedeemExpectation } from '../types/grant.js'
import type { MagicLinkLandingOptions } from '../types/landing.js'
import type { ConsentInput } from './endpoints/authorize/consent.js'
import type { AuthorizationServerMetadata } from './endpoints/metadata.js'
import { CODE_KINDS } from './engine/record.js'
import type { PasscodeRedemption } from './engine/redeem-passcode.js'
import type { Revocation } from './engine/revoke.js'

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
   * host's consent page; send the browser back to the page's `return_to` afterwards.
   * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.6
   */
  grantConsent(req: Request, consent: ConsentInput): Promise<void>
  /** Records that the signed-in user refused `clientId`: back at `/authorize`, the client gets `access_denied`. */
  denyConsent(req: Request, consent: ConsentInput): Promise<void>
  /**
   * Redeems the one live passcode of (client, user) that `POST /codes` issued with `otp: true`,
   * exactly once, consuming its magic-link code with it. Each wrong passcode counts; the last
   * allowed one burns the grant. A code issued with a `code_challenge` still needs its verifier.
   * @throws InvalidGrantError for a wrong, spent or unknown passcode.
   */
  redeemOtp(passcode: PasscodeRedemption): Promise<Grant>
  /**
   * Deletes every live magic-link code and passcode of `subject` (of one client, or of all), e.g.
   * after a reported phishing mail; fires `authorization.CodesRevoked` and resolves how many.
   */
  revokeCodes(revocation: Revocation): Promise<number>
  /**
   * The scanner-safe landing page of magic links, a router to mount at the path of `magicLinkUrl`
   * (`app.use('/login/magic', auth.magicLinkLanding({ signIn }))`). `GET` and `HEAD` never spend
   * the code: they show `confirm` (a button that POSTs it back with a CSRF token bound to this
   * browser), `other-browser` (a bound link without its verifier), `used` or `error`. The `POST`
   * redeems it and calls `signIn(grant, req, res)`, which answers.
   * @throws AuthcodeOptionsError without `magicLinkUrl`, or for a missing or unknown option.
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
   * For a readiness probe: whether the store answers (and how fast), and whether Redis may evict
   * what single use depends on (`ok` is false then). Never rejects.
   */
  health(): Promise<AuthcodeHealth>
}

/** `auth.redeem()`'s caller must say which kind of code it accepts; a missing `kind` is a host bug, refused before anything is consumed. */
export function requireKind(expect: RedeemExpectation | undefined): RedeemExpectation {
  const kinds = typeof expect?.kind === 'string' ? [expect.kind] : expect?.kind
  if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => CODE_KINDS.includes(k))) {
    throw new TypeError("auth.redeem(code, expect): expect.kind is required ('magic_link', 'capture', 'authorize' or a list of them)")
  }
  return expect as RedeemExpectation
}
