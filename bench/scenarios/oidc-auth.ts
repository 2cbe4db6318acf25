import { randomBytes } from 'node:crypto'
import { authQuery, OIDC_MOUNT } from '../hosts/oidc-client.js'
import { standalone } from '../redis.js'
import type { Scenario } from '../scenario.js'

/** node-oidc-provider's authorization endpoint for a signed-in user who already granted the scope. */
export const oidcAuth: Scenario = {
  name: 'oidc-provider GET /auth',
  probe: { method: 'GET', path: `${OIDC_MOUNT}/auth` },
  expectStatus: 303,
  async serve(redis) {
    const { oidcHost, signInOidc } = await import('../hosts/oidc-host.js')
    const { app } = oidcHost(standalone(redis))
    let cookie: string | undefined
    return { app, prepare: async (_count, origin) => ({ cookie: (cookie ??= (await signInOidc(origin)).cookie) }) }
  },
  requests({ cookie = '' }) {
    return [
      {
        method: 'GET',
        headers: { cookie },
        setupRequest: (request) => ({
          ...request,
          path: `${OIDC_MOUNT}/auth?${authQuery(randomBytes(12).toString('base64url'), randomBytes(32).toString('base64url'))}`,
        }),
      },
    ]
  },
}
