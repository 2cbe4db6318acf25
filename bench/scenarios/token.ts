import { authcodeHost, issue, MOUNT, tokenForm } from '../hosts/authcode-host.js'
import { prepareCodes, tokenRequest, type Scenario } from '../scenario.js'

/** How many codes the target issues at once while preparing (node-redis pipelines them). */
const BATCH = 500

/** A `POST /token` code exchange (public client, PKCE, each pre-issued code presented once), with or without refresh tokens. */
function tokenScenario(name: 'POST /token' | 'POST /token + refresh token', refreshTokens: boolean): Scenario {
  return {
    name,
    probe: { method: 'POST', path: `${MOUNT}/token` },
    expectStatus: 200,
    consumesCodes: true,
    async serve(redis, hosts) {
      const { app, auth } = authcodeHost(redis, { ...hosts, refreshTokens })
      return { app, prepare: (count) => prepareCodes(count, BATCH, () => issue(auth, { ttlSeconds: 900 })) }
    },
    requests(fixture) {
      return [tokenRequest(`${MOUNT}/token`, fixture, (code) => tokenForm(code))]
    },
  }
}

/** `POST /token` (SPEC §3.4). */
export const token = tokenScenario('POST /token', false)

/** The same with `refreshTokens` on (SPEC §3.4c): each exchange starts a family. Measured by `--memory` only, for the bytes of a live family. */
export const refreshFamily = tokenScenario('POST /token + refresh token', true)
