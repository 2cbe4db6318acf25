import type { Request, RequestHandler, Response } from 'express'
import { countEarly, guardAuthenticationEarly, type EarlyAuthenticationGuard } from '../http/early-limits.js'
import { createLimit, guardAuthentication, ipKeyOf, type AuthenticationGuard, type Limit } from '../http/rate-limit.js'
import type { Undo } from '../http/route.js'
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
 * The limit on failed authentications per IP, counted early ({@link guardAuthenticationEarly}) and
 * decided before the request is answered (SPEC §8).
 */
export function failedAuthGuardEarly(
  ctx: AuthcodeContext,
  scope: string,
  presentsCredentials?: (req: Request) => boolean,
): EarlyAuthenticationGuard {
  return guardAuthenticationEarly(failedAuthLimit(ctx, scope, presentsCredentials))
}

/** The layers and undo of {@link clientAuthLimits}. */
export interface ClientAuthLimits {
  /**
   * The route's first layers: the per-IP count started, `read` (the body, the grant type), the
   * failed-authentication count started and both waited for (the refusal thrown),
   * `authenticate`, and the attempt taken back after a success.
   */
  around(read: ReadonlyArray<RequestHandler | undefined>, authenticate: RequestHandler): Array<RequestHandler | undefined>
  /** The per-IP 429 outranks every other answer, one to a request refused before it was counted included. */
  readonly undo: Undo
}

/**
 * The per-IP limit and the failed-authentication limit of an endpoint that authenticates its
 * client (SPEC §8), counted in one round trip: the per-IP count starts as the request arrives,
 * the attempt once the body says whether it presents a credential, and both are waited for
 * before the credential is checked. A request the per-IP limit refuses is no attempt: its count
 * is taken back.
 */
export function clientAuthLimits(
  ctx: AuthcodeContext,
  scopes: { perIp: string; failedAuth: string },
  presentsCredentials?: (req: Request) => boolean,
): ClientAuthLimits {
  const ip = countEarly(perIpLimit(ctx, scopes.perIp))
  const attempt = failedAuthGuardEarly(ctx, scopes.failedAuth, presentsCredentials)
  const verdicts = async (req: Request, res: Response) => {
    await ip.verdict(res).catch((refusal: unknown) => {
      attempt.giveBack(req, res)
      throw refusal
    })
    await attempt.verdict(res)
  }
  const count: RequestHandler | undefined =
    ip.count || attempt.count
      ? async function countLimits(req, res, next) {
          attempt.count?.(req, res, () => undefined)
          await verdicts(req, res)
          next()
        }
      : undefined
  return {
    around: (read, authenticate) => [ip.count, ...read, count, authenticate, attempt.forgive],
    undo: (_err, req, res) =>
      verdicts(req, res).then(
        () => undefined,
        (refusal: unknown) => refusal,
      ),
  }
}

function failedAuthLimit(ctx: AuthcodeContext, scope: string, presentsCredentials?: (req: Request) => boolean): Limit | undefined {
  const keyOf = ipKeyOf((label, value) => ctx.engine.atRest.digest(label, value))
  const skip = presentsCredentials ? (req: Request) => !presentsCredentials(req) : undefined
  return createLimit(ctx.engine.store, ctx.options.rateLimit.failedAuth, scope, 'failedAuth', keyOf, skip)
}
