import type { Request, RequestHandler, Response } from 'express'
import { ipKeyGenerator, rateLimit } from 'express-rate-limit'
import type { AuthcodeContext } from '../context.js'
import { RateLimitedError } from '../errors/errors.js'

/** Names of the limits in `options.rateLimit`. */
export type LimitName = 'perClient' | 'perSubject' | 'perIp'

/** Extra express-rate-limit settings a limiter may need (e.g. counting only issued codes). */
export interface LimiterTweaks {
  skipFailedRequests?: boolean
  requestWasSuccessful?: (req: Request, res: Response) => boolean | Promise<boolean>
}

/** The client IP, with IPv6 addresses grouped to their /56 as express-rate-limit advises. */
export function ipKey(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown')
}

/**
 * One express-rate-limit middleware for a limit of `options.rateLimit`, counting in the code
 * store (Redis: shared by every process) under `keyPrefix + "rl:" + name`. Over the limit it
 * throws {@link RateLimitedError} to the error renderer, with standard `RateLimit` headers and
 * `Retry-After`. Returned as a list to spread into a route: empty when the limit is off, so a
 * route without limits runs no limiter layer at all.
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/
 */
export function createLimiter(
  ctx: AuthcodeContext,
  name: LimitName,
  scope: string,
  keyOf: (req: Request, res: Response) => string,
  tweaks: LimiterTweaks = {},
): RequestHandler[] {
  const rule = ctx.options.rateLimit[name]
  if (!rule) return []
  return [
    rateLimit({
      windowMs: rule.windowMs,
      limit: rule.limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: `${scope}-${name}`,
      store: ctx.options.store.rateLimitStore(`rl:${scope}:${name}:`),
      keyGenerator: keyOf,
      handler: (_req, res, next) => next(new RateLimitedError(Number(res.getHeader('Retry-After')) || Math.ceil(rule.windowMs / 1000))),
      ...tweaks,
    }),
  ]
}
