import { dpopProofs } from '../dpop-proofs.js'
import { authcodeHost, ISSUER, issue, MOUNT, tokenForm } from '../hosts/authcode-host.js'
import { prepareCodes, tokenRequest, type Scenario } from '../scenario.js'

/** How many codes the target issues at once while preparing (node-redis pipelines them). */
const BATCH = 500

/** What a `POST /token` scenario turns on besides the plain code exchange. */
interface TokenVariant {
  /** Each exchange starts a refresh-token family. */
  refreshTokens?: boolean
  /** Each request carries a DPoP proof (its own `jti`), so the tokens are bound to the load generator's key. */
  dpop?: boolean
}

/** A `POST /token` code exchange (public client, PKCE, each pre-issued code presented once), with refresh tokens or DPoP proofs. */
function tokenScenario(name: 'POST /token' | 'POST /token + refresh token' | 'POST /token + DPoP', variant: TokenVariant = {}): Scenario {
  return {
    name,
    probe: { method: 'POST', path: `${MOUNT}/token` },
    expectStatus: 200,
    consumesCodes: true,
    async serve(redis, hosts) {
      const { app, auth } = authcodeHost(redis, { ...hosts, refreshTokens: variant.refreshTokens ?? false })
      return { app, prepare: (count) => prepareCodes(count, BATCH, () => issue(auth, { ttlSeconds: 900 })) }
    },
    requests(fixture) {
      const form = (code: string) => tokenForm(code)
      if (!variant.dpop) return [tokenRequest(`${MOUNT}/token`, fixture, form)]
      // One proof per prepared code, signed here in the load generator before the run starts (the
      // server checks htu against the token endpoint its issuer names, not the port it listens on).
      const proofs = dpopProofs(fixture.codes?.length ?? 0, `${ISSUER}/token`)
      let next = 0
      return [tokenRequest(`${MOUNT}/token`, fixture, form, () => ({ dpop: proofs[next++] ?? 'exhausted-the-prepared-proofs' }))]
    },
  }
}

/** `POST /token` (SPEC §3.4). */
export const token = tokenScenario('POST /token')

/** The same with `refreshTokens` on (SPEC §3.4c): each exchange starts a family. Measured by `--memory` only, for the bytes of a live family. */
export const refreshFamily = tokenScenario('POST /token + refresh token', { refreshTokens: true })

/**
 * The same with a fresh DPoP proof on each request (SPEC §3.3c): the target verifies it and keeps
 * its `jti`, and the grant is bound to its key. The report gives its cost as a ratio to `POST /token`.
 */
export const tokenDpop = tokenScenario('POST /token + DPoP', { dpop: true })
