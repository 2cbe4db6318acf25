import { authcodeHost, CRM_REDIRECT, MOUNT } from '../hosts/authcode-host.js'
import type { Scenario } from '../scenario.js'

/** `POST /access/getAuthorizationCode` (SPEC §3.2): Basic auth, a user by `uuid`, resolved by a `findUser` stub. */
export const capture: Scenario = {
  name: 'POST /access/getAuthorizationCode',
  probe: { method: 'POST', path: `${MOUNT}/access/getAuthorizationCode` },
  expectStatus: 200,
  async serve(redis, hosts) {
    return { app: authcodeHost(redis, hosts).app }
  },
  requests() {
    let n = 0
    const form = (uuid: string) => new URLSearchParams({ uuid, redirect_uri: CRM_REDIRECT }).toString()
    return [
      {
        method: 'POST',
        path: `${MOUNT}/access/getAuthorizationCode`,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('crm:crm-secret-0123456').toString('base64')}`,
        },
        setupRequest: (request) => ({ ...request, body: form(`user-${n++}`) }),
      },
    ]
  },
}
