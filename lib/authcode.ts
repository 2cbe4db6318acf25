import { Router, type Request, type Response } from 'express'
import type { AuthcodeEventHandler, AuthcodeEventType } from '../types/events.js'
import type { Grant, RedeemExpectation } from '../types/grant.js'
import type { AuthcodeOptions } from '../types/options.js'
import { kContext, type AuthcodeContext } from './context.js'
import { authenticateCaptureClient, captureClientKey } from './core/authenticate-capture-client.js'
import { redeemCode } from './core/redeem-code.js'
import { renderError, renderErrorsAs } from './errors/render-error.js'
import { EventBus } from './events.js'
import { getAuthorizationCodeHandler } from './handlers/get-authorization-code.js'
import { authorizeHandler, authorizeHeaders, hasAuthorizeEndpoint } from './handlers/authorize.js'
import { buildMetadata, METADATA_SUFFIX, metadataPathFor, type AuthorizationServerMetadata } from './handlers/metadata.js'
import { codesHandler } from './handlers/codes.js'
import { sendJson } from './helpers/send-json.js'
import { tokenHandler } from './handlers/token.js'
import { bearerAuth } from './middleware/bearer-auth.js'
import { formBody } from './middleware/form-body.js'
import { jsonBody } from './middleware/json-body.js'
import { safe } from './middleware/async-handler.js'
import { createLimiter, ipKey } from './middleware/rate-limit.js'
import { resolveOptions } from './options.js'

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
}

/**
 * Builds the express-authcode router. Every option is validated here, once.
 * @throws AuthcodeOptionsError naming the option that is missing, unknown or invalid.
 */
export function authcode(options: AuthcodeOptions): AuthcodeRouter {
  const ctx: AuthcodeContext = { options: resolveOptions(options), events: new EventBus() }
  const metadata = buildMetadata(ctx.options)
  const router = Router() as AuthcodeRouter

  router.get(
    METADATA_SUFFIX,
    (_req: Request, res: Response) => {
      res.setHeader('Access-Control-Allow-Origin', '*')
      sendJson(res, 200, metadata)
    },
    renderErrorsAs('problem'),
  )
  router.post('/codes', ...safe(bearerAuth(ctx, 'codes:issue'), ...jsonBody(), codesHandler(ctx)), renderErrorsAs('problem'))
  if (hasAuthorizeEndpoint(ctx.options)) {
    router.get(
      '/authorize',
      ...safe(authorizeHeaders, ...createLimiter(ctx, 'perIp', 'authorize', ipKey), authorizeHandler(ctx)),
      renderErrorsAs('authorize'),
    )
  }
  if (ctx.options.issueTokens) {
    router.post(
      '/token',
      ...safe(...createLimiter(ctx, 'perIp', 'token', ipKey), ...formBody(), tokenHandler(ctx)),
      renderErrorsAs('oauth'),
    )
  }
  if (ctx.options.findUser) {
    router.post(
      '/access/getAuthorizationCode',
      ...safe(
        ...formBody(),
        authenticateCaptureClient(ctx),
        ...createLimiter(ctx, 'perClient', 'capture', captureClientKey),
        getAuthorizationCodeHandler(ctx),
      ),
      renderErrorsAs('capture'),
    )
  }
  router.use(renderError)

  return Object.assign(router, {
    on<T extends AuthcodeEventType>(type: T, handler: AuthcodeEventHandler<T>) {
      ctx.events.on(type, handler)
      return router
    },
    redeem: (code: string, expect?: RedeemExpectation) => redeemCode(ctx, code, expect),
    metadata,
    metadataPath: metadataPathFor(ctx.options.issuer),
    [kContext]: ctx,
  })
}
