import { Router } from 'express'
import type { MagicLinkLandingOptions } from '../../../types/landing.js'
import { AuthcodeOptionsError, OPTIONS_ERROR_CODES } from '../../errors/options-error.js'
import { formBody } from '../../http/form-body.js'
import { renderProblem } from '../../http/render/problem.js'
import { addRoute, serveRoutes } from '../../http/route.js'
import type { AuthcodeContext } from '../../options/context.js'
import { authorizeErrors } from '../authorize/errors.js'
import { approveSignIn } from './approve.js'
import type { CrossDevice } from './cross-device.js'
import { landingHeaders } from './headers.js'
import { redeemLanding, showLanding } from './landing.js'
import { showPage } from './pages.js'
import { completeWait, showWait, waitScript, waitStatus } from './wait.js'

/**
 * The magic-link landing page (SPEC §3.5b), a router the host mounts at the path of
 * `magicLinkUrl`: `GET`/`HEAD` show a page and spend nothing, `POST` redeems. Both set the
 * landing's headers first (errors get them too); the POST reads its own form body. Errors render
 * as `/authorize`'s do: the landing's `error` page for a browser, problem+json for other clients.
 * With `crossDevice` (SPEC §3.5c) it also serves, under its path, the waiting page (`/wait`: `GET`
 * shows, `POST` finishes), its status (`/wait/status`, JSON), its poller (`/wait.js`) and the
 * approval of the other device (`POST /approve`), and turns `wait_url` on in `POST /codes`.
 * @throws AuthcodeOptionsError for `crossDevice` on a store that keeps no approvals.
 */
export function landingRouter(ctx: AuthcodeContext, crossDevice: CrossDevice, options: MagicLinkLandingOptions): Router {
  if (options.crossDevice && typeof ctx.engine.store.approvalStore !== 'function') {
    throw new AuthcodeOptionsError(
      'auth.magicLinkLanding(): "crossDevice" needs a store that keeps approvals (CodeStore.approvalStore), as RedisStore and MemoryStore do',
      OPTIONS_ERROR_CODES.conflict,
    )
  }
  const { binding } = crossDevice
  const router = Router()
  serveRoutes(router, { logger: ctx.logger, telemetry: ctx.engine.telemetry })
  const landing = { engine: ctx.engine, binding, options, crossDevice: options.crossDevice ? crossDevice : undefined }
  const errorPage = authorizeErrors(
    (_err, req, res) => showPage(options.renderPage, { name: 'error' }, req, res, res.statusCode),
    ctx.logger,
  )
  const route = (path: string) => ({
    path,
    name: path === '/' ? binding.path : `${binding.path.replace(/\/+$/, '')}${path}`,
    errors: errorPage,
  })
  addRoute(router, { method: 'get', ...route('/') }, [landingHeaders, showLanding(landing)])
  addRoute(router, { method: 'post', ...route('/') }, [landingHeaders, formBody, redeemLanding(landing)])
  if (!landing.crossDevice) return router
  const crossing = { ...landing, crossDevice }
  addRoute(router, { method: 'get', ...route('/wait') }, [landingHeaders, showWait(crossing)])
  addRoute(router, { method: 'post', ...route('/wait') }, [landingHeaders, formBody, completeWait(crossing)])
  addRoute(router, { method: 'get', ...route('/wait/status'), errors: renderProblem }, [landingHeaders, waitStatus(crossing)])
  addRoute(router, { method: 'get', ...route('/wait.js') }, [landingHeaders, waitScript])
  addRoute(router, { method: 'post', ...route('/approve') }, [landingHeaders, formBody, approveSignIn(crossing)])
  crossDevice.enable()
  return router
}
