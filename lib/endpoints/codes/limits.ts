import { createLimit, type Limit } from '../../http/rate-limit.js'
import type { AuthcodeContext } from '../../options/context.js'
import { caller } from './authenticate.js'
import { codesBody } from './body.js'

/**
 * The limits of `POST /codes`: per client, and per (client, `external_user_id`) — the user
 * named by a hash, never verbatim. They count after the body check, so a bad request counts
 * against neither, and together with the key's claim; a replay, a 409 or a 422 gives its counts
 * back, so only new codes count.
 */
export function codesLimits(ctx: AuthcodeContext): Limit[] {
  const { rateLimit } = ctx.options
  const { store } = ctx.engine
  const limits = [
    createLimit(store, rateLimit.perClient, 'codes', 'perClient', (_req, res) => caller.get(res).clientId),
    createLimit(store, rateLimit.perSubject, 'codes', 'perSubject', (_req, res) => {
      return ctx.engine.atRest.digest('subject', `${caller.get(res).clientId}\n${codesBody.get(res).external_user_id}`)
    }),
  ]
  return limits.filter((limit): limit is Limit => limit !== undefined)
}
