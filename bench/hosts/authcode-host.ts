import { RedisStore } from 'connect-redis'
import express from 'express'
import session from 'express-session'
import { authcode, type AuthcodeRouter } from '../../lib/index.js'
import { baseOptions, MOUNT } from '../../test/helpers/app.js'
import type {} from '../../types/express-session.js'
import type { RateLimitOptions } from '../../types/options.js'
import type { BenchConnection } from '../redis.js'
import type { HostConnections } from '../scenario.js'

export { CRM_REDIRECT, ISSUER, MOUNT, VERIFIER, WEB_REDIRECT, issue, tokenForm } from '../../test/helpers/app.js'

/** The landing page's URL (`magicLinkUrl`) and the path the host mounts it at, as in the tests. */
export const LANDING_URL = 'https://shop.example.com/login/magic'
export const LANDING = '/login/magic'

/** Bearer token of the `crm` service client, allowed to issue magic-link codes. */
export const SERVICE_TOKEN = 'bench-service-token-0123456789'

/** Prefix of every key the router writes (which `--memory` sorts the keys by). */
export const KEY_PREFIX = 'bench:authcode:'

/** The signed-in user of the bench session. */
export const USER_ID = 'user-42'

/**
 * Every rate limit on, counting in Redis as in production, at a limit no bench run reaches: the
 * one load generator is a single client, IP and (for `/token`) user.
 */
const COUNTED: RateLimitOptions = Object.fromEntries(
  (['perClient', 'perSubject', 'perIp', 'failedAuth'] as const).map((name) => [name, { limit: 1e9, windowMs: 15 * 60_000 }]),
)

/**
 * A host app mounting the router on the bench Redis, with every rate limit counted (or none, with
 * `noLimits`). With `refreshTokens`, code exchanges start refresh-token families. With `landing`, it sets `magicLinkUrl` and mounts `auth.magicLinkLanding()` at
 * {@link LANDING}, whose `signIn` answers a 303 to `/` (the host's session is its own business,
 * and not measured). With `signedIn`, it runs express-session
 * on connect-redis first, as SPEC §2 shows, and `POST /bench/sign-in` stands in for its login
 * page; the other scenarios leave the session out, as the baseline and oidc-provider have none.
 * The sessions live on `sessions` when given (`--memory` keeps them off the measured server),
 * else on `redis`.
 */
export function authcodeHost(
  redis: BenchConnection,
  {
    signedIn = false,
    landing = false,
    refreshTokens = false,
    sessions,
    noLimits = false,
  }: HostConnections & { signedIn?: boolean; landing?: boolean; refreshTokens?: boolean } = {},
): { app: express.Express; auth: AuthcodeRouter } {
  const app = express()
  if (signedIn) {
    app.use(
      session({
        store: new RedisStore({ client: sessions ?? redis, prefix: 'bench:sess:' }),
        secret: 'bench-session-secret',
        resave: false,
        saveUninitialized: false,
      }),
    )
    app.post('/bench/sign-in', (req, res) => {
      req.session.userId = USER_ID
      res.status(204).end()
    })
  }
  const auth = authcode(
    baseOptions({
      redis,
      rateLimit: noLimits ? false : COUNTED,
      keyPrefix: KEY_PREFIX,
      accessTokens: [{ token: SERVICE_TOKEN, clientId: 'crm', scopes: ['codes:issue'] }],
      loginUrl: '/login',
      findUser: ({ uuid, id, keyValue }) => uuid ?? id ?? keyValue ?? null,
      ...(landing ? { magicLinkUrl: LANDING_URL } : {}),
      refreshTokens,
    }),
  )
  app.use(MOUNT, auth)
  if (landing) app.use(LANDING, auth.magicLinkLanding({ signIn: (_grant, _req, res) => res.redirect(303, '/') }))
  return { app, auth }
}

/** Signs in through the host's login stand-in and returns the session's `Cookie` header. */
export async function signIn(origin: string): Promise<string> {
  const response = await fetch(`${origin}/bench/sign-in`, { method: 'POST' })
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0]
  if (response.status !== 204 || !cookie) throw new Error(`sign-in failed with ${response.status}`)
  return cookie
}
