import { BETTER_AUTH_MOUNT } from '../hosts/better-auth-host.js'
import { standalone } from '../redis.js'
import type { Scenario } from '../scenario.js'

/** How many links the target asks for at once while preparing the verify scenario. */
const BATCH = 200

/**
 * The client IP better-auth's rate limiter keys on (it reads `X-Forwarded-For`, as behind a
 * proxy; the library's host keys on the socket's address, the same loopback one).
 */
const CLIENT_IP = { 'x-forwarded-for': '127.0.0.1' }

/** better-auth's magic-link send, `POST /api/auth/sign-in/magic-link`: a fresh e-mail address per request, as `POST /codes` gets a fresh user. */
export const betterAuthSend: Scenario = {
  name: 'better-auth magic-link send',
  probe: { method: 'POST', path: `${BETTER_AUTH_MOUNT}/sign-in/magic-link` },
  expectStatus: 200,
  async serve(redis, hosts) {
    const { betterAuthHost } = await import('../hosts/better-auth-host.js')
    return { app: (await betterAuthHost(standalone(redis), hosts)).app }
  },
  requests() {
    let n = 0
    const run = process.pid.toString(36)
    return [
      {
        method: 'POST',
        path: `${BETTER_AUTH_MOUNT}/sign-in/magic-link`,
        headers: { 'content-type': 'application/json', ...CLIENT_IP },
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ email: `new-${run}-${n++}@example.com`, callbackURL: '/' }) }),
      },
    ]
  },
}

/**
 * better-auth's magic-link verify, `GET /api/auth/magic-link/verify?token=…&callbackURL=/` (the
 * link a user clicks): each token presented once, each for one of a pool of existing users; the
 * answer is a 302 to the callback with the new session's cookie.
 */
export const betterAuthVerify: Scenario = {
  name: 'better-auth magic-link verify',
  probe: { method: 'GET', path: `${BETTER_AUTH_MOUNT}/magic-link/verify` },
  expectStatus: 302,
  consumesCodes: true,
  async serve(redis, hosts) {
    const { betterAuthHost } = await import('../hosts/better-auth-host.js')
    const { app, links, forgetSessionLists } = await betterAuthHost(standalone(redis), hosts)
    return {
      app,
      prepare: async (count) => {
        await forgetSessionLists()
        return { codes: await links(count, BATCH) }
      },
    }
  },
  requests({ codes = [] }) {
    let next = 0
    return [
      {
        method: 'GET',
        headers: CLIENT_IP,
        setupRequest: (request) => ({
          ...request,
          path: `${BETTER_AUTH_MOUNT}/magic-link/verify?${new URLSearchParams({ token: codes[next++] ?? 'exhausted-the-prepared-codes', callbackURL: '/' })}`,
        }),
      },
    ]
  },
}
