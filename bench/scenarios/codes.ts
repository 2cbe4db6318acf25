import { randomUUID } from 'node:crypto'
import { authcodeHost, MOUNT, SERVICE_TOKEN } from '../hosts/authcode-host.js'
import { magicLinkBody, type Scenario } from '../scenario.js'

/** A `POST /codes` scenario whose bodies carry `extra` besides the user and TTL. */
function codesScenario(name: 'POST /codes' | 'POST /codes otp', extra: Record<string, unknown>): Scenario {
  return {
    name,
    probe: { method: 'POST', path: `${MOUNT}/codes` },
    expectStatus: 201,
    async serve(redis, hosts) {
      return { app: authcodeHost(redis, hosts).app }
    },
    requests() {
      const body = magicLinkBody(extra)
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
}

/** `POST /codes` (SPEC §3.1): bearer token, a fresh Idempotency-Key and user per request. */
export const codes = codesScenario('POST /codes', {})

/**
 * The same with `"otp": true`, a one-time passcode issued with the code. Measured by `--memory`
 * only; a build whose body schema refuses `otp` (400) reports it as skipped.
 */
export const codesOtp = codesScenario('POST /codes otp', { otp: true })
