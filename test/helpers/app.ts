import express, { type Express } from 'express'
import { authcode, type AuthcodeRouter } from '../../lib/index.js'
import { kContext, type AuthcodeContext } from '../../lib/context.js'
import { issueCode, type IssueRequest } from '../../lib/core/issue-code.js'
import { s256 } from '../../lib/helpers/pkce.js'
import type { AuthcodeOptions, Grant } from '../../types/index.js'
import { form, type HttpRequest } from './http.js'

export const ISSUER = 'http://127.0.0.1/api/id/v1/auth'
export const MOUNT = '/api/id/v1/auth'
export const WEB_REDIRECT = 'https://shop.example.com/callback'
export const CRM_REDIRECT = 'https://crm.example.com/oauth'
export const VERIFIER = 'dBjftJeZ4CVP-mJ92K9c1aVGsL5XHeJp5o0wpxYkXyA-0123456789'

/** Options every test app starts from: a public PKCE client and a confidential one. */
export function baseOptions(overrides: Partial<AuthcodeOptions> = {}): AuthcodeOptions {
  return {
    issuer: ISSUER,
    clients: [
      { id: 'web', redirectUris: [WEB_REDIRECT], scopes: ['openid', 'profile'] },
      { id: 'crm', secret: 'crm-secret', captureRoles: ['access_issuer'], redirectUris: [CRM_REDIRECT] },
    ],
    issueTokens: (grant: Grant) => ({ access_token: `at-for-${grant.subject}`, token_type: 'Bearer', expires_in: 3600 }),
    rateLimit: false,
    ...overrides,
  } as AuthcodeOptions
}

/** A fresh host app with the router mounted at {@link MOUNT}. */
export function buildApp(options: AuthcodeOptions): { app: Express; auth: AuthcodeRouter } {
  const app = express()
  const auth = authcode(options)
  app.use(MOUNT, auth)
  return { app, auth }
}

/** Issues a code straight through the engine, as an issuing endpoint would. */
export async function issue(auth: AuthcodeRouter, request: Partial<IssueRequest> = {}): Promise<string> {
  const ctx = (auth as unknown as Record<symbol, AuthcodeContext>)[kContext] as AuthcodeContext
  const { code } = await issueCode(ctx, {
    kind: 'authorize',
    subject: 'user-42',
    clientId: 'web',
    ttlSeconds: 60,
    scope: 'openid',
    redirectUri: WEB_REDIRECT,
    codeChallenge: s256(VERIFIER),
    ...request,
  })
  return code
}

/** A `/token` form body for a code of the public `web` client. */
export function tokenForm(code: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, client_id: 'web', code_verifier: VERIFIER, ...extra }
}

/** A raw `POST /token` of {@link tokenForm}. */
export function tokenRequest(code: string, extra: Record<string, string> = {}): HttpRequest {
  return { method: 'POST', path: `${MOUNT}/token`, ...form(tokenForm(code, extra)) }
}
