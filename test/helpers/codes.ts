import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import type { Express } from 'express'
import request from 'supertest'
import type { AuthcodeOptions } from '../../types/index.js'
import { baseOptions, MOUNT } from './app.js'
import { slugOf, type HttpAnswer, type HttpRequest } from './http.js'

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

/** A raw `POST /codes` as the `crm` service with a JSON body and a fresh Idempotency-Key unless `headers` sets one. */
export function codesRequest(body: unknown, headers: Record<string, string> = {}): HttpRequest {
  return {
    method: 'POST',
    path: `${MOUNT}/codes`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_TOKEN}`, 'idempotency-key': randomUUID(), ...headers },
    body: JSON.stringify(body),
  }
}

/**
 * Answers to concurrent `POST /codes` with one Idempotency-Key: exactly one fresh 201; every
 * other answer a replay of that same 201 or a 409 idempotency-key-in-flight; never a 5xx.
 */
export function expectOneIssued(answers: HttpAnswer[]): void {
  const replayed = (answer: HttpAnswer) => answer.headers['idempotent-replayed'] === 'true'
  const fresh = answers.filter((a) => a.status === 201 && !replayed(a))
  expect(fresh, 'fresh 201s').to.have.length(1)
  for (const answer of answers) {
    if (answer === fresh[0]) continue
    if (answer.status === 201) expect(answer.json).to.deep.equal(fresh[0]?.json)
    else {
      expect(answer.status, answer.text).to.equal(409)
      expect(slugOf(answer.json)).to.equal('idempotency-key-in-flight')
    }
  }
}
