import session from 'express-session'
import type { RequestHandler } from 'express'
import type { Stores } from './stores.js'

/** Name of the app's session cookie. */
export const SESSION_COOKIE = 'authcode_example.sid'

/** Options of {@link sessionMiddleware}. */
export interface SessionSettings {
  stores: Stores
  secret: string
  /** Cookie name; each app on the site has its own. */
  name: string
  /** Key prefix in the session store. */
  prefix: string
  /** Cookie path. @default '/' */
  path?: string
  /**
   * The app's URL is https: the cookie is always `Secure`, and express-session sets it only on a
   * request that arrived over https (through a proxy Express trusts, `X-Forwarded-Proto`).
   * Otherwise `Secure` follows the request.
   * @default false
   */
  https?: boolean
}

/**
 * express-session on the chosen store. The cookie is `HttpOnly`, `SameSite=Lax` (sent on a
 * top-level link from an e-mail, never on another site's POST) and `Secure` on https.
 */
export function sessionMiddleware({ stores, secret, name, prefix, path = '/', https = false }: SessionSettings): RequestHandler {
  return session({
    store: stores.sessions(prefix),
    name,
    secret,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: https ? true : 'auto', path, maxAge: 8 * 3600_000 },
  })
}
