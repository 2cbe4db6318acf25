import express, { type Express } from 'express'
import { authcode, type AuthcodeRouter } from '../../lib/index.js'
import { kContext } from '../../lib/authcode.js'
import { draftCode, issueCode, type IssueRequest } from '../../lib/engine/issue.js'
import { s256 } from '../../lib/engine/pkce.js'
import type { AuthcodeContext } from '../../lib/options/context.js'
import type { AuthcodeOptions, Grant } from '../../types/index.js'
import { form, type HttpRequest } from './http.js'

export const ISSUER = 'http://127.0.0.1/api/id/v1/auth'
export const MOUNT = '/api/id/v1/auth'
export const WEB_REDIRECT = 'https://shop.example.com/callback'
export const CRM_REDIRECT = 'https://crm.example.com/oauth'
export const VERIFIER = 'dBjftJeZ4CVP-mJ92K9c1aVGsL5XHeJp5o0wpxYkXyA-0123456789'
/** The secret of the confidential `crm` client of {@link baseOptions}. */
export const CRM_SECRET = 'crm-secret-0123456'

/**
 * The logger of test apps: failures go to `console.error` (read when it is called, so tests can
 * silence or capture it); start-up warnings about unmounted endpoints, which most test apps
 * trigger on purpose, are dropped. Tests of warnings pass their own logger.
 */
export const testLogger = {
  error: (fields: object, message?: string) => console.error(fields, message),
  warn: () => undefined,
}

/** The `atRestKey` of test apps: the option is required with Redis, as it is in production. */
export const TEST_AT_REST_KEY = Buffer.alloc(32, 7)

/** Options every test app starts from: a public PKCE client and a confidential one. */
export function baseOptions(overrides: Partial<AuthcodeOptions> = {}): AuthcodeOptions {
  return {
    issuer: ISSUER,
    clients: [
      { id: 'web', redirectUris: [WEB_REDIRECT], scopes: ['openid', 'profile'] },
      { id: 'crm', secret: CRM_SECRET, captureRoles: ['access_issuer'], redirectUris: [CRM_REDIRECT] },
    ],
    issueTokens: (grant: Grant) => ({ access_token: `at-for-${grant.subject}`, token_type: 'Bearer', expires_in: 3600 }),
    rateLimit: false,
    logger: testLogger,
    atRestKey: TEST_AT_REST_KEY,
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
  const draft = draftCode(ctx.engine, {
    kind: 'authorize',
    subject: 'user-42',
    clientId: 'web',
    ttlSeconds: 60,
    scope: 'openid',
    redirectUri: WEB_REDIRECT,
    codeChallenge: s256(VERIFIER),
    ...request,
  })
  await issueCode(ctx.engine, draft)
  return draft.code
}

/** A `/token` form body for a code of the public `web` client. */
export function tokenForm(code: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, client_id: 'web', code_verifier: VERIFIER, ...extra }
}

/** A raw `POST /token` of {@link tokenForm}. */
export function tokenRequest(code: string, extra: Record<string, string> = {}): HttpRequest {
  return { method: 'POST', path: `${MOUNT}/token`, ...form(tokenForm(code, extra)) }
}
