import { Router, type Request, type Response } from 'express'
import type { AuthcodeEventHandler, AuthcodeEventType } from '../types/events.js'
import type { RedeemExpectation } from '../types/grant.js'
import type { MagicLinkLandingOptions } from '../types/landing.js'
import type { AuthcodeOptions } from '../types/options.js'
import { decideConsent, type ConsentInput } from './endpoints/authorize/consent.js'
import { describeClient } from './endpoints/authorize/describe-client.js'
import { mountAuthorize } from './endpoints/authorize/route.js'
import { mountCapture, mountCaptureToken } from './endpoints/capture/route.js'
import { mountCodes } from './endpoints/codes/route.js'
import { BrowserBinding, requireBinding } from './endpoints/landing/binding.js'
import { landingOptions } from './endpoints/landing/options.js'
import { landingRouter } from './endpoints/landing/route.js'
import { buildMetadata, metadataPathFor, mountMetadata } from './endpoints/metadata.js'
import { requireKind, type AuthcodeRouter } from './auth-router.js'
import { mountToken } from './endpoints/token/route.js'
import { AtRest } from './engine/at-rest.js'
import { EventBus } from './engine/events.js'
import { redeemCode } from './engine/redeem.js'
import { redeemPasscode, type PasscodeRedemption } from './engine/redeem-passcode.js'
import { revokeCodes, type Revocation } from './engine/revoke.js'
import type { AuthcodeContext } from './options/context.js'
import { instrumentRoutes } from './http/request-span.js'
import { resolveOptions } from './options/resolve.js'
import { warnAtStart } from './options/warnings.js'
import { warnOnUntrustedProxy } from './http/proxy-warning.js'
import { routerHealth, watchEvictionPolicy } from './telemetry/health.js'

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
    engine: {
      store: resolved.store,
      events: new EventBus(),
      atRest: new AtRest(resolved.atRestKey || undefined),
      telemetry: resolved.telemetry,
    },
  }
  const metadata = buildMetadata(resolved)
  const binding =
    resolved.magicLinkUrl === undefined ? undefined : new BrowserBinding(resolved.magicLinkUrl, ctx.engine.atRest, resolved.logger)
  const router = Router() as AuthcodeRouter
  instrumentRoutes(router, resolved.telemetry)
  watchEvictionPolicy(resolved.store, resolved.logger)
  warnAtStart(resolved)

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
    grantConsent: (req: Request, consent: ConsentInput) => decideConsent(ctx, req, consent, false),
    denyConsent: (req: Request, consent: ConsentInput) => decideConsent(ctx, req, consent, true),
    describeClient: (clientId: string) => describeClient(resolved.clients, clientId),
    redeem: async (code: string, expect: RedeemExpectation) => redeemCode(ctx.engine, code, requireKind(expect)),
    redeemOtp: (passcode: PasscodeRedemption) => redeemPasscode(ctx.engine, passcode, resolved.otp || undefined),
    revokeCodes: (revocation: Revocation) => revokeCodes(ctx.engine, revocation),
    magicLinkLanding: (landing: MagicLinkLandingOptions) =>
      landingRouter(ctx, requireBinding(binding, 'magicLinkLanding'), landingOptions(landing)),
    bindBrowser: (req: Request, res: Response) => requireBinding(binding, 'bindBrowser').bind(req, res),
    browserVerifier: (req: Request) => requireBinding(binding, 'browserVerifier').verifierOf(req),
    metadata,
    metadataPath: metadataPathFor(resolved.issuer),
    health: () => routerHealth(resolved.store),
    [kContext]: ctx,
  })
}
