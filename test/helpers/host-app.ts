import express, { type Express } from 'express'
import session from 'express-session'
import request from 'supertest'
import { authcode, MemoryStore, type AuthcodeRouter } from '../../lib/index.js'
import { s256 } from '../../lib/engine/pkce.js'
import type {} from '../../types/express-session.js'
import type { AuthcodeOptions } from '../../types/index.js'
import { MOUNT, VERIFIER, WEB_REDIRECT, baseOptions } from './app.js'

/** Path of the authorization endpoint in {@link hostApp}. */
export const AUTHORIZE = `${MOUNT}/authorize`

/** A supertest agent that keeps cookies. */
export type Agent = ReturnType<typeof request.agent>

/** When the session's user signed in (epoch seconds), as a host's `getAuthTime` reads it. */
export function authTimeOfSession(req: express.Request): number | undefined {
  return (req.session as unknown as { authAt?: number }).authAt
}

/**
 * A host app as a team would write it: express-session, a tiny login route (`user`, and
 * `ago` seconds to pretend the sign-in is older) that starts a new session with
 * `req.session.regenerate()` as docs/oauth.md says (`keep_session` skips that, as a careless host
 * would), a consent route (`decision` grant or deny, for the request `return_to`), the router
 * and its root metadata.
 */
export function hostApp(
  overrides: Partial<AuthcodeOptions> = {},
  sessionStore?: session.Store | false,
): { app: Express; auth: AuthcodeRouter } {
  const app = express()
  if (sessionStore !== false) {
    app.use(session({ secret: 'test-secret', resave: false, saveUninitialized: false, ...(sessionStore ? { store: sessionStore } : {}) }))
  }
  app.post('/login', express.urlencoded({ extended: false }), (req, res, next) => {
    const signIn = (err?: unknown) => {
      if (err) return next(err)
      req.session.userId = String(req.body.user)
      ;(req.session as unknown as { authAt: number }).authAt = Math.floor(Date.now() / 1000) - Number(req.body.ago ?? 0)
      const back = String(req.body.return_to ?? '/')
      // Only same-host paths: a login page must not become an open redirector.
      res.redirect(303, /^\/(?![/\\])/.test(back) ? back : '/')
    }
    // A new session id at sign-in defeats session fixation; it also drops everything the old session held.
    if (req.body.keep_session) signIn()
    else req.session.regenerate(signIn)
  })
  const options = baseOptions({ loginUrl: '/login', ...overrides })
  const auth = authcode(options.redis || options.store ? options : { ...options, store: new MemoryStore() })
  app.post('/consent', express.urlencoded({ extended: false }), async (req, res, next) => {
    try {
      const consent = {
        clientId: String(req.body.client_id),
        scope: String(req.body.scope ?? ''),
        returnTo: String(req.body.return_to ?? ''),
      }
      await (req.body.decision === 'deny' ? auth.denyConsent(req, consent) : auth.grantConsent(req, consent))
      const back = String(req.body.return_to ?? '/')
      res.redirect(303, /^\/(?![/\\])/.test(back) ? back : '/')
    } catch (err) {
      next(err)
    }
  })
  app.get(auth.metadataPath, (_req, res) => {
    res.json(auth.metadata)
  })
  app.use(MOUNT, auth)
  return { app, auth }
}

/** A valid authorization request of the public `web` client; `undefined` drops a parameter. */
export function authorizeQuery(overrides: Record<string, string | undefined> = {}): string {
  const all: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: 'web',
    redirect_uri: WEB_REDIRECT,
    scope: 'openid',
    state: 'st-123',
    code_challenge: s256(VERIFIER),
    code_challenge_method: 'S256',
    ...overrides,
  }
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(all)) if (value !== undefined) query.append(name, value)
  return query.toString()
}

/** A supertest agent holding the session cookie of `user`. */
export async function signedIn(app: Express, user = 'user-42'): Promise<Agent> {
  const agent = request.agent(app)
  await agent.post('/login').type('form').send({ user }).expect(303)
  return agent
}

/** The query parameters of a redirect's `Location`. */
export function locationParams(location: string | undefined): URLSearchParams {
  if (location === undefined) throw new Error('no Location header')
  return new URL(location, 'http://host.invalid').searchParams
}

/** Runs `send` with `console.error` silenced: for tests of failures the router logs on purpose. */
export async function withoutErrorLog<T>(send: () => PromiseLike<T>): Promise<T> {
  const errors = console.error
  console.error = () => undefined
  try {
    return await send()
  } finally {
    console.error = errors
  }
}
