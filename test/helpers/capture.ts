import { expect } from 'chai'
import type { Express } from 'express'
import type { Response } from 'supertest'
import request from 'supertest'
import type { AuthcodeOptions, ClientOptions } from '../../types/index.js'
import { baseOptions, CRM_SECRET, MOUNT } from './app.js'
import { captureBasic, form } from './http.js'
import { janrainDate, janrainHeaders } from './janrain-client.js'
import { uniquePrefix, type TestRedis } from './redis.js'

/** The Capture endpoint under the test mount. */
export const CAPTURE_PATH = '/access/getAuthorizationCode'
export const CAPTURE_URL = MOUNT + CAPTURE_PATH

/** Headers of a janrain-signed request to `path` (default getAuthorizationCode), from the test client of {@link janrainHeaders}. */
export function signedHeaders(
  id: string,
  secret: string,
  params: Record<string, string>,
  date = janrainDate(),
  path = CAPTURE_PATH,
): Record<string, string> {
  return janrainHeaders(id, secret, path, params, date)
}

/** A confidential client with one registered redirect URI, which Capture codes are issued for. */
export const PARTNER_REDIRECT = 'https://partner.example.com/oauth'
export const PARTNER_SECRET = 'partner-secret-012'
const PARTNER_CLIENT: ClientOptions = { id: 'partner', secret: PARTNER_SECRET, redirectUris: [PARTNER_REDIRECT] }

/** {@link baseOptions} on `redis` with a fresh key prefix, the partner client and a `findUser` that finds `user-<uuid>`. */
export function captureOptions(redis: TestRedis, overrides: Partial<AuthcodeOptions> = {}): AuthcodeOptions {
  const base = baseOptions()
  return baseOptions({
    redis,
    keyPrefix: uniquePrefix(),
    clients: [...base.clients, PARTNER_CLIENT],
    findUser: ({ uuid }) => (uuid === undefined ? null : `user-${uuid}`),
    ...overrides,
  })
}

/** A code from getAuthorizationCode, issued by `crm` for the partner (user `u-1`) unless `params` say otherwise. */
export async function captureCode(app: Express, params: Record<string, string> = {}): Promise<string> {
  const res = await request(app)
    .post(CAPTURE_URL)
    .set('Authorization', captureBasic('crm', CRM_SECRET))
    .type('form')
    .send(form({ uuid: 'u-1', redirect_uri: PARTNER_REDIRECT, for_client_id: 'partner', ...params }).body)
  expect(res.status, JSON.stringify(res.body)).to.equal(200)
  return res.body.authorizationCode as string
}

/** A Capture error envelope: `status`, `{ stat: "error", code, error }`, a description, a request id and `no-store`. */
export function expectEnvelope(res: Response, status: number, code: number, error: string, argumentName?: string): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(status)
  expect(res.headers['content-type']).to.match(/^application\/json/)
  expect(res.headers['cache-control']).to.equal('no-store')
  expect(res.body).to.include({ stat: 'error', code, error })
  expect(res.body.error_description).to.be.a('string').and.not.equal('')
  expect(res.body.request_id).to.match(/^[A-Za-z0-9_-]{16}$/)
  if (argumentName !== undefined) expect(res.body.argument_name).to.equal(argumentName)
}
