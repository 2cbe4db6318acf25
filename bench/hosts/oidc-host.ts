import express from 'express'
import Provider from 'oidc-provider'
import type { BenchRedis } from '../redis.js'
import { USER_ID, VERIFIER, WEB_REDIRECT } from './authcode-host.js'
import { authQuery, OIDC_MOUNT, SCOPE } from './oidc-client.js'
import { oidcRedisAdapter } from './oidc-redis-adapter.js'
import { s256 } from '../../lib/engine/pkce.js'

/**
 * node-oidc-provider 9 mounted in Express 5 the way its docs show, on the bench Redis through
 * {@link oidcRedisAdapter}: one public PKCE client, code flow only, no other features.
 * The interaction route signs in {@link USER_ID} and grants the scope without a page.
 */
export function oidcHost(redis: BenchRedis): { app: express.Express; provider: Provider } {
  const provider = new Provider('http://127.0.0.1/oidc', {
    adapter: oidcRedisAdapter(redis, 'bench:oidc:'),
    clients: [
      {
        client_id: 'web',
        redirect_uris: [WEB_REDIRECT],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'none',
      },
    ],
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    scopes: [SCOPE],
    responseTypes: ['code'],
    cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, Grant: 86_400, Interaction: 600, Session: 86_400 },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  })
  provider.on('server_error', (_ctx, err) => console.error('oidc-provider:', err))

  const app = express()
  app.get('/interaction/:uid', async (req, res) => {
    await provider.interactionDetails(req, res)
    const grant = new provider.Grant({ accountId: USER_ID, clientId: 'web' })
    grant.addOIDCScope(SCOPE)
    const grantId = await grant.save()
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: USER_ID }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    )
  })
  app.use(OIDC_MOUNT, provider.callback())
  return { app, provider }
}

/**
 * Walks the provider's own login and consent interaction once, following redirects by hand,
 * and returns the signed-in session's `Cookie` header and the code of the final redirect.
 */
export async function signInOidc(origin: string): Promise<{ cookie: string; code: string }> {
  const jar = new Map<string, string>()
  let location = `${origin}${OIDC_MOUNT}/auth?${authQuery('sign-in', s256(VERIFIER))}`
  for (let hop = 0; hop < 5 && !location.startsWith(WEB_REDIRECT); hop++) {
    const response = await fetch(new URL(location, origin), { redirect: 'manual', headers: { cookie: cookieHeader(jar) } })
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const at = pair.indexOf('=')
      if (pair.slice(at + 1) === '') jar.delete(pair.slice(0, at))
      else jar.set(pair.slice(0, at), pair.slice(at + 1))
    }
    location = response.headers.get('location') ?? ''
    if (!location) throw new Error(`oidc-provider sign-in stopped with ${response.status}: ${await response.text()}`)
  }
  const code = new URL(location).searchParams.get('code')
  if (!code) throw new Error(`oidc-provider sign-in ended without a code: ${location}`)
  const session = new Map([...jar].filter(([name]) => name.startsWith('_session')))
  return { cookie: cookieHeader(session), code }
}

function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
}
