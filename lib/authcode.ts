import { Router } from 'express'
import type { AuthcodeEventHandler, AuthcodeEventType } from '../types/events.js'
import type { AuthcodeHealth } from '../types/health.js'
import type { Grant, RedeemExpectation } from '../types/grant.js'
import type { AuthcodeOptions } from '../types/options.js'
import { mountAuthorize } from './endpoints/authorize/route.js'
import { mountCapture } from './endpoints/capture/route.js'
import { mountCodes } from './endpoints/codes/route.js'
import { buildMetadata, metadataPathFor, mountMetadata, type AuthorizationServerMetadata } from './endpoints/metadata.js'
import { mountToken } from './endpoints/token/route.js'
import { EventBus } from './engine/events.js'
import { redeemCode } from './engine/redeem.js'
import type { AuthcodeContext } from './options/context.js'
import { instrumentRoutes } from './http/request-span.js'
import { resolveOptions } from './options/resolve.js'
import { routerHealth, watchEvictionPolicy } from './telemetry/health.js'

/** The router `authcode()` returns: mount it with `app.use(path, auth)`. */
export interface AuthcodeRouter extends Router {
  /** Subscribes to an event; handlers are awaited in order before the response. */
  on<T extends AuthcodeEventType>(type: T, handler: AuthcodeEventHandler<T>): this
  /**
   * Consumes a code exactly once and resolves its grant (e.g. on a magic-link landing page).
   * @throws InvalidGrantError for an unknown, expired, used or mismatching code.
   */
  redeem(code: string, expect?: RedeemExpectation): Promise<Grant>
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
    engine: { store: resolved.store, events: new EventBus(), telemetry: resolved.telemetry },
  }
  const metadata = buildMetadata(resolved)
  const router = Router() as AuthcodeRouter
  instrumentRoutes(router, resolved.telemetry)
  watchEvictionPolicy(resolved.store, resolved.logger)

  mountMetadata(router, metadata, resolved.logger)
  mountCodes(router, ctx)
  if (resolved.mounted.authorize) mountAuthorize(router, ctx)
  if (resolved.issueTokens) mountToken(router, ctx, resolved.issueTokens)
  if (resolved.findUser) mountCapture(router, ctx, resolved.findUser)

  return Object.assign(router, {
    on<T extends AuthcodeEventType>(type: T, handler: AuthcodeEventHandler<T>) {
      ctx.engine.events.on(type, handler)
      return router
    },
    redeem: (code: string, expect?: RedeemExpectation) => redeemCode(ctx.engine, code, expect),
    metadata,
    metadataPath: metadataPathFor(resolved.issuer),
    health: () => routerHealth(resolved.store),
    [kContext]: ctx,
  })
}
