import { Router, type Request, type Response } from 'express'
import type { AuthcodeEventHandler, AuthcodeEventType } from '../types/events.js'
import type { RedeemExpectation } from '../types/grant.js'
import type { MagicLinkLandingOptions } from '../types/landing.js'
import type { AuthcodeRouter, ConsentInput, PasscodeRedemption, Revocation } from '../types/router.js'
import type { AuthcodeLogger, AuthcodeOptions, RedisConnection } from '../types/options.js'
import type { CodeStore } from '../types/store.js'
import type { ProtectedResourceOptions } from '../types/resource.js'
import { decideConsent } from './endpoints/authorize/consent.js'
import { describeClient } from './endpoints/authorize/describe-client.js'
import { mountAuthorize } from './endpoints/authorize/route.js'
import { mountCapture, mountCaptureToken } from './endpoints/capture/route.js'
import { mountCodes } from './endpoints/codes/route.js'
import { BrowserBinding, requireBinding } from './endpoints/landing/binding.js'
import { CrossDevice } from './endpoints/landing/cross-device.js'
import { landingOptions } from './endpoints/landing/options.js'
import { landingRouter } from './endpoints/landing/route.js'
import { buildMetadata, metadataPathFor, mountMetadata, offeredScopes } from './endpoints/metadata.js'
import { mountPar } from './endpoints/par/route.js'
import { mountRegister } from './endpoints/register/route.js'
import { mountRevoke } from './endpoints/revoke/route.js'
import { mountToken } from './endpoints/token/route.js'
import { mountJwks } from './endpoints/token/jwks.js'
import { accessTokenSignerFor } from './endpoints/token/jwt-access-token-issuer.js'
import { protectedResource } from './endpoints/resource/protected-resource.js'
import { ClientDirectory } from './clients/directory.js'
import { AtRest } from './engine/at-rest.js'
import { requireKind } from './engine/record.js'
import { EventBus } from './engine/events.js'
import { redeemCode } from './engine/redeem.js'
import { redeemPasscode } from './engine/redeem-passcode.js'
import { revokeCodes } from './engine/revoke.js'
import { revokeGrants } from './engine/revoke-grants.js'
import type { AuthcodeContext } from './options/context.js'
import { serveRoutes } from './http/route.js'
import { resolveOptions, type ResolvedOptions, type ServiceOptions } from './options/resolve.js'
import { warnAtStart } from './options/warnings.js'
import { warnOnUntrustedProxy } from './http/proxy-warning.js'
import { AuthcodeOptionsError, OPTIONS_ERROR_CODES } from './errors/options-error.js'
import { RedisStore } from './stores/redis-store.js'
import { STORE_SHAPES } from './stores/shapes.js'
import { routerHealth, watchEvictionPolicy } from './telemetry/health.js'
import { Telemetry } from './telemetry/telemetry.js'
import { tracedStore } from './telemetry/traced-store.js'

/** Where the router keeps its context, for the library's own white-box tests; not exported by the package. */
export const kContext = Symbol('authcode.context')

/**
 * The services of one router, built once from what the options name: the store (the host's own,
 * or a `RedisStore` on its connection), traced into the router's telemetry, and the logger.
 */
function buildContext(resolved: ResolvedOptions, services: ServiceOptions): AuthcodeContext {
  const telemetry = new Telemetry()
  // The options' xor guarantees exactly one of store and redis.
  const store: CodeStore =
    services.store ??
    new RedisStore({
      client: services.redis as RedisConnection,
      prefix: resolved.keyPrefix,
      ...(services.durability ? { durability: services.durability } : {}),
    })
  if (resolved.refreshTokens && typeof store.refreshTokenStore !== 'function') {
    throw new AuthcodeOptionsError(
      'authcode(): "refreshTokens" needs a store that keeps refresh tokens (CodeStore.refreshTokenStore), as RedisStore and MemoryStore do',
      OPTIONS_ERROR_CODES.conflict,
    )
  }
  const arriving = resolved.clientIdMetadataDocuments || resolved.dynamicRegistration
  if (arriving && typeof store.clientStore !== 'function') {
    throw new AuthcodeOptionsError(
      `authcode(): "${resolved.dynamicRegistration ? 'dynamicRegistration' : 'clientIdMetadataDocuments'}" needs a store that keeps clients (CodeStore.clientStore), as RedisStore and MemoryStore do`,
      OPTIONS_ERROR_CODES.conflict,
    )
  }
  const logger: AuthcodeLogger = services.logger ?? console
  const engine = {
    store: tracedStore(store, telemetry),
    events: new EventBus(),
    atRest: new AtRest(resolved.atRestKey || undefined),
    telemetry,
  }
  const clients = new ClientDirectory({
    configured: resolved.clients,
    records: arriving ? engine.store.clientStore?.() : undefined,
    documents: resolved.clientIdMetadataDocuments,
    registration: resolved.dynamicRegistration !== false,
    offers: offeredScopes(resolved),
    digest: (label, value) => engine.atRest.digest(label, value),
  })
  return { options: resolved, engine, clients, logger }
}

/**
 * Builds the express-authcode router. Every option is validated here, once, the services are
 * built here, once, and every route is built here; nothing is re-read per request.
 * @throws AuthcodeOptionsError naming the option that is missing, unknown or invalid.
 */
export function authcode(options: AuthcodeOptions): AuthcodeRouter {
  const { options: resolved, services } = resolveOptions(options, STORE_SHAPES)
  const ctx = buildContext(resolved, services)
  const { store, telemetry } = ctx.engine
  const { logger } = ctx
  // A jwtAccessTokenIssuer is bound to this router's issuer; any other issueTokens is used as is.
  const signer = accessTokenSignerFor(resolved.issueTokens, resolved.issuer, resolved.defaultResource)
  const issueTokens = signer?.issueTokens ?? resolved.issueTokens
  // A host's own store may keep no pushed requests: /par is then not mounted, and cannot be required.
  const pushes = resolved.mounted.authorize && typeof store.pushedRequestStore === 'function'
  if (resolved.mounted.authorize && !pushes && (resolved.par.required || [...resolved.clients.values()].some((c) => c.requirePar))) {
    throw new AuthcodeOptionsError(
      'authcode(): pushed authorization requests are required, but the store keeps none (CodeStore.pushedRequestStore), as RedisStore and MemoryStore do',
      OPTIONS_ERROR_CODES.conflict,
    )
  }
  const metadata = buildMetadata(resolved, { jwks: signer !== undefined, par: pushes })
  const binding = resolved.magicLinkUrl === undefined ? undefined : new BrowserBinding(resolved.magicLinkUrl, ctx.engine.atRest, logger)
  // Off until magicLinkLanding({ crossDevice: true }) is built, which turns wait_url on in POST /codes.
  const crossDevice = binding && new CrossDevice(binding, ctx.engine.atRest)
  const router = Router() as AuthcodeRouter
  serveRoutes(router, { logger, telemetry })
  watchEvictionPolicy(store, logger)
  warnAtStart(resolved, logger)

  router.use(warnOnUntrustedProxy(logger))
  mountMetadata(router, metadata)
  mountCodes(router, ctx, crossDevice)
  if (resolved.mounted.authorize) mountAuthorize(router, ctx)
  if (pushes) mountPar(router, ctx)
  if (issueTokens) mountToken(router, ctx, issueTokens)
  if (signer) mountJwks(router, signer.jwks)
  if (resolved.findUser) mountCapture(router, ctx, resolved.findUser)
  if (resolved.mounted.captureToken && issueTokens) mountCaptureToken(router, ctx, issueTokens)
  if (resolved.mounted.revoke) mountRevoke(router, ctx)
  if (resolved.dynamicRegistration) mountRegister(router, ctx, resolved.dynamicRegistration)

  return Object.assign(router, {
    on<T extends AuthcodeEventType>(type: T, handler: AuthcodeEventHandler<T>) {
      ctx.engine.events.on(type, handler)
      return router
    },
    grantConsent: (req: Request, consent: ConsentInput) => decideConsent(ctx, req, consent, false),
    denyConsent: (req: Request, consent: ConsentInput) => decideConsent(ctx, req, consent, true),
    describeClient: (clientId: string) => describeClient(ctx.clients, clientId),
    redeem: async (code: string, expect: RedeemExpectation) => redeemCode(ctx.engine, code, requireKind(expect)),
    redeemOtp: (passcode: PasscodeRedemption) => redeemPasscode(ctx.engine, passcode, resolved.otp || undefined),
    revokeCodes: (revocation: Revocation) => revokeCodes(ctx.engine, revocation),
    revokeGrants: (revocation: Revocation) => revokeGrants(ctx.engine, revocation),
    magicLinkLanding: (landing: MagicLinkLandingOptions) =>
      landingRouter(ctx, requireBinding(crossDevice, 'magicLinkLanding'), landingOptions(landing)),
    bindBrowser: (req: Request, res: Response) => requireBinding(binding, 'bindBrowser').bind(req, res),
    browserVerifier: (req: Request) => requireBinding(binding, 'browserVerifier').verifierOf(req),
    metadata,
    metadataPath: metadataPathFor(resolved.issuer),
    jwks: signer?.jwks,
    protectedResource: (resource: ProtectedResourceOptions) => protectedResource(ctx, signer, resource),
    health: () => routerHealth(store),
    [kContext]: ctx,
  })
}
