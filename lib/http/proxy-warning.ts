import type { RequestHandler } from 'express'
import type { AuthcodeLogger } from '../../types/options.js'

/**
 * Warns once, through the host's logger, when requests arrive through a proxy
 * (`X-Forwarded-For`) while Express's `trust proxy` is off: `req.ip` is then the proxy's
 * address, and every user shares one per-IP rate-limit bucket. express-rate-limit's own check
 * (`ERR_ERL_UNEXPECTED_X_FORWARDED_FOR`) runs only in its default key generator, which the
 * router's limits replace, so this is the one warning the host gets.
 * @see https://expressjs.com/en/guide/behind-proxies.html
 */
export function warnOnUntrustedProxy(logger: AuthcodeLogger): RequestHandler {
  let warned = false
  return function checkProxy(req, _res, next) {
    if (!warned && req.headers['x-forwarded-for'] !== undefined && !req.app.get('trust proxy')) {
      warned = true
      logger.warn(
        { header: 'X-Forwarded-For', setting: 'trust proxy', fix: "app.set('trust proxy', <your proxy hops>)" },
        'express-authcode: requests come through a proxy Express does not trust; every client shares one per-IP limit',
      )
    }
    next()
  }
}
