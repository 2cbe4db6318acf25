import { Router } from 'express'
import type { MagicLinkLandingOptions } from '../../../types/landing.js'
import { formBody } from '../../http/form-body.js'
import { addRoute, serveRoutes } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { authorizeErrors } from '../authorize/errors.js'
import type { BrowserBinding } from './binding.js'
import { landingHeaders } from './headers.js'
import { redeemLanding, showLanding } from './landing.js'
import { showPage } from './pages.js'

/**
 * The magic-link landing page (SPEC §3.5b), a router the host mounts at the path of
 * `magicLinkUrl`: `GET`/`HEAD` show a page and spend nothing, `POST` redeems. Both set the
 * landing's headers first (errors get them too); the POST reads its own form body. Errors render
 * as `/authorize`'s do: the landing's `error` page for a browser, problem+json for other clients.
 */
export function landingRouter(ctx: AuthcodeContext, binding: BrowserBinding, options: MagicLinkLandingOptions): Router {
  const router = Router()
  serveRoutes(router, { logger: ctx.logger, telemetry: ctx.engine.telemetry })
  const landing = { engine: ctx.engine, binding, options }
  const errorPage = authorizeErrors(
    (_err, req, res) => showPage(options.renderPage, { name: 'error' }, req, res, res.statusCode),
    ctx.logger,
  )
  const route = { path: '/', name: binding.path, errors: errorPage }
  addRoute(router, { method: 'get', ...route }, [landingHeaders, showLanding(landing)])
  addRoute(router, { method: 'post', ...route }, [landingHeaders, formBody, redeemLanding(landing)])
  return router
}
