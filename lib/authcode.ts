import { Router, type Request } from 'express'
import type { AuthcodeEventHandler, AuthcodeEventType } from '../types/events.js'
import type { AuthcodeHealth } from '../types/health.js'
import type { Grant, RedeemExpectation } from '../types/grant.js'
import type { AuthcodeOptions } from '../types/options.js'
import { decideConsent, type ConsentInput } from './endpoints/authorize/consent.js'
import { mountAuthorize } from './endpoints/authorize/route.js'
import { mountCapture, mountCaptureToken } from './endpoints/capture/route.js'
import { mountCodes } from './endpoints/codes/route.js'
import { buildMetadata, metadataPathFor, mountMetadata, type AuthorizationServerMetadata } from './endpoints/metadata.js'
import { mountToken } from './endpoints/token/route.js'
import { AtRest } from './engine/at-rest.js'
import { EventBus } from './engine/events.js'
import { redeemCode } from './engine/redeem.js'
import type { AuthcodeContext } from './options/context.js'
import { instrumentRoutes } from './http/request-span.js'
import { resolveOptions } from './options/resolve.js'
import { unmountedEndpoints } from './options/cross-checks.js'
import { warnOnUntrustedProxy } from './http/proxy-warning.js'
import { routerHealth, watchEvictionPolicy } from './telemetry/health.js'

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
function requireKind(expect: RedeemExpectation | undefined): RedeemExpectation {
  const kinds = typeof expect?.kind === 'string' ? [expect.kind] : expect?.kind
  if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => ['magic_link', 'capture', 'authorize'].includes(k))) {
    throw new TypeError("auth.redeem(code, expect): expect.kind is required ('magic_link', 'capture', 'authorize' or a list of them)")
  }
  return expect as RedeemExpectation
}

/** Where the router keeps its context, for the library's own white-box tests; not exported by the package. */
export const kContext = Symbol('authcode.context')

/**
 * Builds the express-authcode router. Every option is validated here, once, and every route
 * is built here; nothing is re-read per request.
 * @throws AuthcodeOptionsError naming the option that is missing, unknown or invalid.
 */
export function authcode(options: AuthcodeOptions): AuthcodeRouter {
  const resolved = resolveOptions(options)
  const ctx: AuthcodeContext = {
    options: resolved,
    engine: { store: resolved.store, events: new EventBus(), atRest: new AtRest(resolved.atRestKey), telemetry: resolved.telemetry },
  }
  const metadata = buildMetadata(resolved)
  const router = Router() as AuthcodeRouter
  instrumentRoutes(router, resolved.telemetry)
  watchEvictionPolicy(resolved.store, resolved.logger)
  for (const unmounted of unmountedEndpoints(resolved.clients, resolved.mounted)) {
    resolved.logger.warn(unmounted, 'express-authcode: the options imply an endpoint that is not mounted')
  }

  router.use(warnOnUntrustedProxy(resolved.logger))
  mountMetadata(router, metadata, resolved.logger)
  mountCodes(router, ctx)
  if (resolved.mounted.authorize) mountAuthorize(router, ctx)
  if (resolved.issueTokens) mountToken(router, ctx, resolved.issueTokens)
  if (resolved.findUser) mountCapture(router, ctx, resolved.findUser)
  if (resolved.mounted.captureToken && resolved.issueTokens) mountCaptureToken(router, ctx, resolved.issueTokens)

  return Object.assign(router, {
    on<T extends AuthcodeEventType>(type: T, handler: AuthcodeEventHandler<T>) {
      ctx.engine.events.on(type, handler)
      return router
    },
    grantConsent: (req: Request, consent: ConsentInput) => decideConsent(resolved, req, consent, false),
    denyConsent: (req: Request, consent: ConsentInput) => decideConsent(resolved, req, consent, true),
    redeem: async (code: string, expect: RedeemExpectation) => redeemCode(ctx.engine, code, requireKind(expect)),
    metadata,
    metadataPath: metadataPathFor(resolved.issuer),
    health: () => routerHealth(resolved.store),
    [kContext]: ctx,
  })
}
