import { randomBytes } from 'node:crypto'
import { authcodeHost, MOUNT, signIn, WEB_REDIRECT } from '../hosts/authcode-host.js'
import type { Scenario } from '../scenario.js'

/** `GET /authorize` (SPEC §3.3): a signed-in express-session, a fresh state and PKCE challenge per request. */
export const authorize: Scenario = {
  name: 'GET /authorize',
  probe: { method: 'GET', path: `${MOUNT}/authorize` },
  expectStatus: 303,
  async serve(redis, hosts) {
    const { app } = authcodeHost(redis, { ...hosts, signedIn: true })
    return { app, prepare: async (_count, origin) => ({ cookie: await signIn(origin) }) }
  },
  requests({ cookie = '' }) {
    const query = () =>
      new URLSearchParams({
        response_type: 'code',
        client_id: 'web',
        redirect_uri: WEB_REDIRECT,
        scope: 'openid',
        state: randomBytes(12).toString('base64url'),
        code_challenge: randomBytes(32).toString('base64url'),
        code_challenge_method: 'S256',
      }).toString()
    return [
      {
        method: 'GET',
        headers: { cookie },
        setupRequest: (request) => ({ ...request, path: `${MOUNT}/authorize?${query()}` }),
      },
    ]
  },
}
