import { VERIFIER, WEB_REDIRECT } from './authcode-host.js'

/** Where the provider is mounted in the host app. */
export const OIDC_MOUNT = '/oidc'

/** The OAuth 2.0 (not OpenID) scope asked for: without `openid` no ID Token is signed. */
export const SCOPE = 'api'

/** The query of a PKCE authorization request of the bench client for `state` and `challenge`. */
export function authQuery(state: string, challenge: string): string {
  return new URLSearchParams({
    client_id: 'web',
    response_type: 'code',
    redirect_uri: WEB_REDIRECT,
    scope: SCOPE,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString()
}

/** The `/token` form of the bench client for a code issued against {@link VERIFIER}. */
export function oidcTokenForm(code: string): Record<string, string> {
  return { grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, client_id: 'web', code_verifier: VERIFIER }
}
