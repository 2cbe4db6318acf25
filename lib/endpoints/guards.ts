import type { Request } from 'express'
import {
  createLimit,
  guardAuthentication,
  guardAuthenticationEarly,
  ipKeyOf,
  type AuthenticationGuard,
  type EarlyAuthenticationGuard,
  type Limit,
} from '../http/rate-limit.js'
import type { AuthcodeContext } from '../options/context.js'

/** The per-IP limit of an endpoint (`/authorize`, `/token`, or `/register` with its own `rule`), keyed by the hashed client IP. */
export function perIpLimit(ctx: AuthcodeContext, scope: string, rule = ctx.options.rateLimit.perIp): Limit | undefined {
  return createLimit(
    ctx.engine.store,
    rule,
    scope,
    'perIp',
    ipKeyOf((label, value) => ctx.engine.atRest.digest(label, value)),
  )
}

/**
 * The limit on failed authentications per IP around an endpoint's authentication layer
 * (SPEC §8); `presentsCredentials` leaves out requests with nothing to guess (a public client).
 */
export function failedAuthGuard(ctx: AuthcodeContext, scope: string, presentsCredentials?: (req: Request) => boolean): AuthenticationGuard {
  return guardAuthentication(failedAuthLimit(ctx, scope, presentsCredentials))
}

/**
 * The limit on failed authentications per IP for an endpoint that checks credentials in memory,
 * counted as the request arrives and decided before it is answered (SPEC §8).
 */
export function failedAuthGuardEarly(ctx: AuthcodeContext, scope: string): EarlyAuthenticationGuard {
  return guardAuthenticationEarly(failedAuthLimit(ctx, scope))
}

function failedAuthLimit(ctx: AuthcodeContext, scope: string, presentsCredentials?: (req: Request) => boolean): Limit | undefined {
  const keyOf = ipKeyOf((label, value) => ctx.engine.atRest.digest(label, value))
  const skip = presentsCredentials ? (req: Request) => !presentsCredentials(req) : undefined
  return createLimit(ctx.engine.store, ctx.options.rateLimit.failedAuth, scope, 'failedAuth', keyOf, skip)
}
