import { OIDC_MOUNT, oidcTokenForm } from '../hosts/oidc-client.js'
import { standalone } from '../redis.js'
import { prepareCodes, tokenRequest, type Scenario } from '../scenario.js'

/** How many codes the target saves at once while preparing. */
const BATCH = 200

/**
 * node-oidc-provider's token endpoint redeeming codes once each. The codes are issued by the
 * provider's own model: copies of one code from a real `/auth` redirect (same session, grant,
 * PKCE challenge), each saved through the adapter.
 */
export const oidcToken: Scenario = {
  name: 'oidc-provider POST /token',
  probe: { method: 'POST', path: `${OIDC_MOUNT}/token` },
  expectStatus: 200,
  consumesCodes: true,
  async serve(redis) {
    const { oidcHost, signInOidc } = await import('../hosts/oidc-host.js')
    const { app, provider } = oidcHost(standalone(redis))
    let template: Record<string, unknown> | undefined
    const prepare = async (count: number, origin: string) => {
      if (!template) {
        const found = await provider.AuthorizationCode.find((await signInOidc(origin)).code)
        if (!found) throw new Error('oidc-provider did not store the sign-in code')
        const { jti: _jti, iat: _iat, exp: _exp, kind: _kind, ...rest } = found
        template = rest
      }
      const copy = template
      return prepareCodes(count, BATCH, () => new provider.AuthorizationCode({ ...copy }).save())
    }
    return { app, prepare }
  },
  requests(fixture) {
    return [tokenRequest(`${OIDC_MOUNT}/token`, fixture, oidcTokenForm)]
  },
}
