import { authcodeHost, issue, MOUNT, tokenForm } from '../hosts/authcode-host.js'
import { prepareCodes, tokenRequest, type Scenario } from '../scenario.js'

/** How many codes the target issues at once while preparing (node-redis pipelines them). */
const BATCH = 500
/** Code exchanges in flight at once while preparing the rotation's refresh tokens. */
const EXCHANGES_AT_ONCE = 50

/**
 * `POST /token` with `grant_type=refresh_token` (SPEC §3.4c): each prepared family's token
 * rotated once. `--memory` prepares the families before it reads the empty keyspace, so what it
 * reports is what one rotation adds.
 */
export const refreshRotation: Scenario = {
  name: 'POST /token refresh_token',
  probe: { method: 'POST', path: `${MOUNT}/token` },
  expectStatus: 200,
  consumesCodes: true,
  preparedBeforeMeasuring: true,
  async serve(redis, hosts) {
    const { app, auth } = authcodeHost(redis, { ...hosts, refreshTokens: true })
    return {
      app,
      async prepare(count, origin) {
        const { codes = [] } = await prepareCodes(count, BATCH, () => issue(auth, { ttlSeconds: 900 }))
        const tokens: string[] = []
        for (let i = 0; i < codes.length; i += EXCHANGES_AT_ONCE)
          tokens.push(...(await Promise.all(codes.slice(i, i + EXCHANGES_AT_ONCE).map((code) => exchange(origin, code)))))
        return { codes: tokens }
      },
    }
  },
  requests(fixture) {
    return [tokenRequest(`${MOUNT}/token`, fixture, (token) => ({ grant_type: 'refresh_token', refresh_token: token, client_id: 'web' }))]
  },
}

/** Exchanges `code` at the target's `/token` and returns the refresh token it answers with. */
async function exchange(origin: string, code: string): Promise<string> {
  const response = await fetch(`${origin}${MOUNT}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(tokenForm(code)).toString(),
  })
  const body = (await response.json()) as { refresh_token?: string }
  if (response.status !== 200 || typeof body.refresh_token !== 'string') throw new Error(`a code exchange answered ${response.status}`)
  return body.refresh_token
}
