import { randomUUID } from 'node:crypto'
import { authcodeHost, MOUNT, SERVICE_TOKEN } from '../hosts/authcode-host.js'
import { magicLinkBody, type Scenario } from '../scenario.js'

/** `POST /codes` (SPEC §3.1): bearer token, a fresh Idempotency-Key and user per request. */
export const codes: Scenario = {
  name: 'POST /codes',
  probe: { method: 'POST', path: `${MOUNT}/codes` },
  expectStatus: 201,
  async serve(redis) {
    return { app: authcodeHost(redis).app }
  },
  requests() {
    const body = magicLinkBody()
    return [
      {
        method: 'POST',
        path: `${MOUNT}/codes`,
        setupRequest: (request) => ({
          ...request,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_TOKEN}`, 'idempotency-key': randomUUID() },
          body: body(),
        }),
      },
    ]
  },
}
