import type { Request } from 'express'
import { MisconfigurationError } from '../../errors/problems.js'
import type { ResolvedOptions } from '../../options/resolve.js'

/**
 * The signed-in user's id: `getUser(req)` when given, else `req.session[userKey]` (a non-empty
 * string, or a number, which is turned into one); `undefined` when nobody is signed in.
 * @throws MisconfigurationError when neither `getUser` nor express-session is in place.
 */
export async function currentUser(options: Pick<ResolvedOptions, 'getUser' | 'userKey'>, req: Request): Promise<string | undefined> {
  const user = options.getUser ? await options.getUser(req) : sessionOf(req)[options.userKey]
  if (typeof user === 'number' && Number.isFinite(user)) return String(user)
  return typeof user === 'string' && user !== '' ? user : undefined
}

function sessionOf(req: Request): Record<string, unknown> {
  const { session } = req as unknown as { session?: Record<string, unknown> | null }
  if (session === undefined || session === null) {
    throw new MisconfigurationError(
      'GET /authorize reads the signed-in user from req.session, but no session middleware ran: mount express-session (app.use(session({ ... }))) before the express-authcode router, or pass the getUser option.',
    )
  }
  return session
}
