import { authcodeHost, issue, MOUNT, tokenForm } from '../hosts/authcode-host.js'
import { prepareCodes, tokenRequest, type Scenario } from '../scenario.js'

/** How many codes the target issues at once while preparing (node-redis pipelines them). */
const BATCH = 500

/** `POST /token` (SPEC §3.4): public client, PKCE, each pre-issued code presented once. */
export const token: Scenario = {
  name: 'POST /token',
  probe: { method: 'POST', path: `${MOUNT}/token` },
  expectStatus: 200,
  consumesCodes: true,
  async serve(redis, hosts) {
    const { app, auth } = authcodeHost(redis, hosts)
    return { app, prepare: (count) => prepareCodes(count, BATCH, () => issue(auth, { ttlSeconds: 900 })) }
  },
  requests(fixture) {
    return [tokenRequest(`${MOUNT}/token`, fixture, (code) => tokenForm(code))]
  },
}
