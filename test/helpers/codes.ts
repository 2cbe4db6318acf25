import { randomUUID } from 'node:crypto'
import type { Express } from 'express'
import request from 'supertest'
import type { AuthcodeOptions } from '../../types/index.js'
import { baseOptions, MOUNT } from './app.js'

/** Bearer token of the `crm` service, with `codes:issue`. */
export const SERVICE_TOKEN = 'svc-token-crm-0123456789'
/** Bearer token of the `web` client, with `codes:issue`. */
export const OTHER_SERVICE_TOKEN = 'svc-token-web-0123456789'
/** A token of `crm` without `codes:issue`. */
export const READ_ONLY_TOKEN = 'svc-token-read-0123456789'

/** {@link baseOptions} plus the service tokens `POST /codes` needs. */
export function codesOptions(overrides: Partial<AuthcodeOptions> = {}): AuthcodeOptions {
  return baseOptions({
    accessTokens: [
      { token: SERVICE_TOKEN, clientId: 'crm', scopes: ['codes:issue'] },
      { token: OTHER_SERVICE_TOKEN, clientId: 'web', scopes: ['codes:issue'] },
      { token: READ_ONLY_TOKEN, clientId: 'crm', scopes: ['codes:read'] },
    ],
    ...overrides,
  })
}

/** `POST /codes` as the `crm` service with a JSON body and a fresh Idempotency-Key unless given. */
export function postCodes(app: Express, body: unknown, headers: Record<string, string> = {}): request.Test {
  const req = request(app).post(`${MOUNT}/codes`).set('Authorization', `Bearer ${SERVICE_TOKEN}`).set('Idempotency-Key', randomUUID())
  for (const [name, value] of Object.entries(headers)) req.set(name, value)
  return req.send(body as object)
}
