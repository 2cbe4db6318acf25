import type { Request, RequestHandler, Response } from 'express'
import { ipKeyGenerator, rateLimit } from 'express-rate-limit'
import type { RateLimitRule } from '../../types/options.js'
import type { CodeStore } from '../../types/store.js'
import { RateLimitedError } from '../errors/problems.js'

/**
 * A key for limits per client IP: the IP (IPv6 grouped to its /56, as express-rate-limit
 * advises) as the store may keep it, hashed (`digest`), never the address itself.
 */
export function ipKeyOf(digest: (label: string, value: string) => string): (req: Request) => string {
  return (req) => digest('ip', ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown'))
}

/** A limit as a route layer, and the means to take back the hit a request counted. */
export interface Limit {
  /** Counts the request before it goes on; over the limit it hands {@link RateLimitedError} to the renderer. */
  readonly layer: RequestHandler
  /**
   * Takes back the hit this request counted, for a caller that knows what the hit paid for did
   * not happen. Never depends on the response: a client that hangs up keeps its hit.
   */
  giveBack(req: Request): Promise<void>
  /**
   * Resolves the refusal of a request that would be over the limit if it counted, without
   * counting one under it: a read of the count (the store's `get`). Over the limit it counts the
   * request after all, for the refusal and its headers; a store without `get` always counts it
   * ({@link giveBack} takes that hit back). Never rejects.
   */
  check(req: Request, res: Response): Promise<Error | undefined>
}

interface CountedRequest {
  [property: string]: { key: string } | undefined
}

/**
 * One express-rate-limit limit, counting in the code store (Redis: shared by every process)
 * under `keyPrefix + "rl:" + scope + ":" + name + ":"`. Every request that reaches the layer
 * counts, before it goes on; over the limit the layer throws {@link RateLimitedError} with
 * standard `RateLimit` headers and `Retry-After`. `undefined` when the limit is off, so a route
 * without limits runs no limiter layer at all.
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/
 */
export function createLimit(
  store: CodeStore,
  rule: RateLimitRule | false,
  scope: string,
  name: string,
  keyOf: (req: Request, res: Response) => string,
  skip?: (req: Request) => boolean,
): Limit | undefined {
  if (!rule) return undefined
  const counter = store.rateLimitStore(`rl:${scope}:${name}:`)
  // express-rate-limit leaves what it counted (the key among it) on the request under this name.
  const property = `authcodeLimit_${scope}_${name}`
  const layer = rateLimit({
    windowMs: rule.windowMs,
    limit: rule.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: `${scope}-${name}`,
    requestPropertyName: property,
    store: counter,
    keyGenerator: keyOf,
    ...(skip ? { skip } : {}),
    handler: (_req, res, next) => next(new RateLimitedError(Number(res.getHeader('Retry-After')) || Math.ceil(rule.windowMs / 1000))),
  })
  const limit: Limit = {
    layer,
    async check(req, res) {
      if (counter.get === undefined || skip?.(req)) return countAll([limit], req, res)
      let hits: number
      try {
        hits = (await counter.get(keyOf(req, res)))?.totalHits ?? 0
      } catch (error) {
        return error as Error
      }
      return hits >= rule.limit ? countAll([limit], req, res) : undefined
    },
    async giveBack(req) {
      const counted = req as unknown as CountedRequest
      const info = counted[property]
      if (info === undefined) return
      counted[property] = undefined
      await counter.decrement(info.key)
    },
  }
  return limit
}

/** A limit on failed authentications, as the two layers around the one that authenticates. */
export interface AuthenticationGuard {
  /** Counts the attempt before the credentials are checked; over the limit, nothing is checked. */
  count: RequestHandler | undefined
  /** Goes after authentication, so it runs only for a success: takes the attempt back. */
  forgive: RequestHandler | undefined
}

/**
 * Failed authentications per IP (SPEC §8), counted before the credentials are checked, so
 * that no burst of concurrent guesses is evaluated beyond the limit; a success takes its
 * attempt back. `skip` leaves out requests that present no credential at all.
 */
export function guardAuthentication(limit: Limit | undefined): AuthenticationGuard {
  if (!limit) return { count: undefined, forgive: undefined }
  return {
    count: limit.layer,
    forgive: function forgiveAuthenticated(req, _res, next) {
      // Not awaited: the success is decided; giving the attempt back needs no answer.
      limit.giveBack(req).catch(() => undefined)
      next()
    },
  }
}

/**
 * Counts `limits` for one request all at once: their store commands go out together, one round
 * trip for all. Resolves the first refusal (a {@link RateLimitedError}, or the store's failure),
 * or `undefined` when every limit let the request through. Each limit counts even when another
 * refuses; a caller that refuses the request takes back what they counted ({@link Limit.giveBack}).
 * Never rejects.
 */
export function countAll(limits: readonly Limit[], req: Request, res: Response): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let waiting = limits.length
    let refusal: Error | undefined
    if (waiting === 0) resolve(undefined)
    for (const limit of limits) {
      let counted = false // once per limit, even if a later layer's failure reaches its `next` again
      // express-rate-limit hands every failure, its store's included, to `next`: its promise never rejects.
      void limit.layer(req, res, (err?: unknown) => {
        if (counted) return
        counted = true
        refusal ??= err === undefined ? undefined : (err as Error)
        if (--waiting === 0) resolve(refusal)
      })
    }
  })
}
