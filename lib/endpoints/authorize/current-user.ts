import type { Request } from 'express'
import { MisconfigurationError } from '../../errors/problems.js'
import type { ResolvedOptions } from '../../options/resolve.js'

/**
 * The signed-in user's id: `getUser(req)` when given, else `req.session[userKey]` (a non-empty
 * string, or a number, which is turned into one); `undefined` when nobody is signed in.
 * @throws MisconfigurationError when neither `getUser` nor express-session is in place.
 */
export async function currentUser(options: Pick<ResolvedOptions, 'getUser' | 'userKey'>, req: Request): Promise<string | undefined> {
  const user = options.getUser ? await options.getUser(req) : sessionOf(req, 'reads the signed-in user')[options.userKey]
  if (typeof user === 'number' && Number.isFinite(user)) return String(user)
  return typeof user === 'string' && user !== '' ? user : undefined
}

/** How far ahead of this clock a reported sign-in may be (another server's clock). */
const AUTH_TIME_SKEW_SECONDS = 60

/**
 * When the signed-in user last authenticated, in whole epoch seconds, from the host's
 * `getAuthTime`; `undefined` when it cannot tell, or gives something that is no time. A time in
 * the future (milliseconds given for seconds, say) is no time: it would make every sign-in fresh
 * for `prompt=login` and `max_age` forever.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken (`auth_time`, in seconds)
 */
export async function authTimeOf(options: Pick<ResolvedOptions, 'getAuthTime'>, req: Request): Promise<number | undefined> {
  const at = await options.getAuthTime?.(req)
  const seconds = at instanceof Date ? at.getTime() / 1000 : at
  const known = typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
  return known && seconds <= Date.now() / 1000 + AUTH_TIME_SKEW_SECONDS ? Math.floor(seconds) : undefined
}

/**
 * The express-session of a request, for what `/authorize` keeps there.
 * @throws MisconfigurationError naming the fix when no session middleware ran.
 */
export function sessionOf(req: Request, purpose: string): Record<string, unknown> {
  const { session } = req as unknown as { session?: Record<string, unknown> | null }
  if (session === undefined || session === null) {
    throw new MisconfigurationError(
      `GET /authorize ${purpose} in req.session, but no session middleware ran: mount express-session (app.use(session({ ... }))) before the express-authcode router${purpose === 'reads the signed-in user' ? ', or pass the getUser option' : ''}.`,
    )
  }
  return session
}
