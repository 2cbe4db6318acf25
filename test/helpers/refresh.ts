import { expect } from 'chai'
import type { Express } from 'express'
import request from 'supertest'
import type { AuthcodeRouter } from '../../lib/index.js'
import { kContext } from '../../lib/authcode.js'
import { mintRefreshToken } from '../../lib/engine/refresh-tokens.js'
import type { AuthcodeContext } from '../../lib/options/context.js'
import type { AuthcodeOptions, Grant } from '../../types/index.js'
import { baseOptions, CRM_REDIRECT, CRM_SECRET, issue, MOUNT, tokenForm } from './app.js'
import { form, oauthBasic, type HttpRequest } from './http.js'

export const TOKEN_URL = `${MOUNT}/token`

/** {@link baseOptions} with the router's refresh tokens on, and an `issueTokens` that records every grant it is handed. */
export function refreshOptions(overrides: Partial<AuthcodeOptions> = {}): { options: AuthcodeOptions; grants: Grant[] } {
  const grants: Grant[] = []
  const options = baseOptions({
    refreshTokens: true,
    issueTokens: (grant) => {
      grants.push(grant)
      return {
        access_token: `at-${grants.length}-for-${grant.subject}`,
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: 'the-hosts-own',
      }
    },
    ...overrides,
  })
  return { options, grants }
}

/** Exchanges a fresh code of the public `web` client at `/token` and resolves the answer's refresh token. */
export async function firstRefreshToken(app: Express, auth: AuthcodeRouter, scope = 'openid profile'): Promise<string> {
  const res = await request(app)
    .post(TOKEN_URL)
    .type('form')
    .send(tokenForm(await issue(auth, { scope })))
  expect(res.status, JSON.stringify(res.body)).to.equal(200)
  expect(res.body.refresh_token, 'a refresh token of the router').to.match(/^[A-Za-z0-9_-]{43}$/)
  return res.body.refresh_token as string
}

/** Issues a fresh Capture code of the confidential `crm` client for `subject`, straight through the engine. */
export function crmCode(auth: AuthcodeRouter, subject = 'user-42'): Promise<string> {
  return issue(auth, { kind: 'capture', subject, clientId: 'crm', redirectUri: CRM_REDIRECT, codeChallenge: undefined, scope: undefined })
}

/**
 * Exchanges a fresh Capture code of the confidential `crm` client (for `subject`) at `/token` by
 * HTTP Basic, and resolves the answer (its `refresh_token` the router's when it mints them).
 */
export function crmExchange(app: Express, auth: AuthcodeRouter, subject = 'user-42'): Promise<request.Response> {
  return crmCode(auth, subject).then((code) =>
    request(app)
      .post(TOKEN_URL)
      .type('form')
      .set('Authorization', oauthBasic('crm', CRM_SECRET))
      .send({ grant_type: 'authorization_code', code, redirect_uri: CRM_REDIRECT }),
  )
}

/** A `grant_type=refresh_token` form of the public `web` client. */
export function refreshForm(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: 'refresh_token', refresh_token: token, client_id: 'web', ...extra }
}

/** `POST /token` of {@link refreshForm}, through supertest. */
export function refresh(app: Express, token: string, extra: Record<string, string> = {}): request.Test {
  return request(app).post(TOKEN_URL).type('form').send(refreshForm(token, extra))
}

/** A raw `POST /token` of {@link refreshForm}, for concurrent sends. */
export function refreshRequest(token: string, extra: Record<string, string> = {}): HttpRequest {
  return { method: 'POST', path: TOKEN_URL, ...form(refreshForm(token, extra)) }
}

/** Starts a family straight through the engine, as a code exchange would, and resolves its first token (the `web` client's unless `grant` says). */
export async function mintToken(auth: AuthcodeRouter, grant: Partial<Grant> = {}): Promise<string> {
  const ctx = (auth as unknown as Record<symbol, AuthcodeContext>)[kContext] as AuthcodeContext
  if (!ctx.options.refreshTokens) throw new Error('the router mints no refresh tokens')
  const now = Date.now()
  const full: Grant = {
    kind: 'authorize',
    subject: 'user-42',
    clientId: 'web',
    scope: 'openid',
    issuedAt: new Date(now),
    expiresAt: new Date(now),
    ...grant,
  }
  return mintRefreshToken(ctx.engine, full, ctx.options.refreshTokens)
}
