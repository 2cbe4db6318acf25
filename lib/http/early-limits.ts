import type { Request, RequestHandler, Response } from 'express'
import { requestLocal } from './locals.js'
import { countAll, type Limit } from './rate-limit.js'

/**
 * A limit counted as the request arrives, whose verdict is waited for later: its count travels
 * with the route's other store commands (another limit's, a body still arriving) instead of
 * taking a round trip of its own.
 */
export interface EarlyLimit {
  /** The layer that starts counting and goes on at once. */
  readonly count: RequestHandler | undefined
  /** Resolves once the request is counted under the limit (at once when it was not counted); rejects with the refusal (429, or the store's failure). */
  verdict(res: Response): Promise<void>
}

/** What {@link countEarly} gives besides the layer: the count under way, and a way to start it from another layer. */
interface EarlyCount extends EarlyLimit {
  /** The count under way (its refusal, or `undefined`), once started. */
  counted(res: Response): Promise<Error | undefined> | undefined
  /** Starts the count as `counting`, from a layer other than {@link EarlyLimit.count}. */
  start(res: Response, counting: Promise<Error | undefined>): void
}

/** {@link EarlyLimit} of `limit`; without a limit, every verdict passes. */
export function countEarly(limit: Limit | undefined): EarlyCount {
  const counting = requestLocal<Promise<Error | undefined>>('an early count')
  if (!limit) return { count: undefined, verdict: () => Promise.resolve(), counted: () => undefined, start: () => undefined }
  return {
    count: function countEarlyLayer(req, res, next) {
      counting.set(res, countAll([limit], req, res))
      next()
    },
    async verdict(res) {
      const refusal = await counting.find(res)
      if (refusal !== undefined) throw refusal
    },
    counted: (res) => counting.find(res),
    start: (res, started) => counting.set(res, started),
  }
}

/**
 * A limit on failed authentications whose attempt is counted early ({@link countEarly}): beside
 * the per-IP count, or, for a credential checked in memory, as soon as it is decided. The request
 * waits for its verdict before the credential decides anything observable. Over the limit the
 * answer is 429 whatever the credential, so nothing observable depends on the check having come
 * first (SPEC §8).
 */
export interface EarlyAuthenticationGuard extends EarlyLimit {
  /**
   * For a credential checked in memory, in place of {@link EarlyLimit.count}: a failure counts an
   * attempt, a success only checks the count ({@link Limit.check}), so that it writes nothing
   * and has nothing to take back.
   */
  decided(req: Request, res: Response, succeeded: boolean): void
  /** Goes after authentication, so it runs only for a success: takes the attempt back once counted (not waited for). */
  readonly forgive: RequestHandler | undefined
  /** Takes the attempt back once counted, for a request refused before its credential was checked (not waited for). */
  giveBack(req: Request, res: Response): void
}

/** {@link EarlyAuthenticationGuard} of `limit`; without a limit, every verdict passes. */
export function guardAuthenticationEarly(limit: Limit | undefined): EarlyAuthenticationGuard {
  const early = countEarly(limit)
  const giveBack = (req: Request, res: Response) => {
    void early
      .counted(res)
      ?.then((refusal) => (refusal === undefined ? limit?.giveBack(req) : undefined))
      .catch(() => undefined)
  }
  return {
    count: early.count,
    verdict: early.verdict,
    decided(req, res, succeeded) {
      if (limit) early.start(res, succeeded ? limit.check(req, res) : countAll([limit], req, res))
    },
    giveBack,
    forgive:
      limit &&
      function forgiveAuthenticated(req, res, next) {
        giveBack(req, res)
        next()
      },
  }
}
