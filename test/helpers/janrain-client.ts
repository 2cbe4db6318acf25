import { createHmac } from 'node:crypto'
import type { Express } from 'express'
import request from 'supertest'

/**
 * A Capture API client for the tests, written from Capture's documented "janrain-signed"
 * algorithm rather than from the server's code, so that each checks the other:
 *
 * 1. the signed text is the API call's path relative to the API base (`/oauth/token`), a
 *    newline, the `Date` header (`YYYY-MM-DD HH:MM:SS`, UTC), a newline, then one line
 *    `name=value` per parameter, the lines sorted, each followed by a newline;
 * 2. the client's credentials (`client_id`, `client_secret`, `access_token`) are not
 *    parameters of a signed request: they go in `Authorization: Signature <client_id>:<sig>`;
 * 3. the signature is the base64 HMAC-SHA1 of that text, keyed with the client secret.
 */

/** The `Date` of a signed request: `YYYY-MM-DD HH:MM:SS` in UTC. */
export function janrainDate(at = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0')
  return (
    `${at.getUTCFullYear()}-${two(at.getUTCMonth() + 1)}-${two(at.getUTCDate())} ` +
    `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}`
  )
}

/** Orders strings by Unicode code point, as a Python client's `sort()` does. */
function byCodePoint(a: string, b: string): number {
  const left = Array.from(a, (c) => c.codePointAt(0) ?? 0)
  const right = Array.from(b, (c) => c.codePointAt(0) ?? 0)
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0)
    if (difference !== 0) return difference
  }
  return left.length - right.length
}

/** The text a signature covers, for `params` that are already without credentials. */
export function janrainSignedText(path: string, date: string, params: Readonly<Record<string, string>>): string {
  const lines = Object.keys(params)
    .map((name) => `${name}=${params[name]}`)
    .sort(byCodePoint)
  let text = `${path}\n${date}\n`
  for (const line of lines) text += `${line}\n`
  return text
}

/** The base64 HMAC-SHA1 signature of a call, keyed with the client secret. */
export function janrainSign(secret: string, path: string, date: string, params: Readonly<Record<string, string>>): string {
  return createHmac('sha1', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(janrainSignedText(path, date, params), 'utf8'))
    .digest('base64')
}

/** The headers of a signed call: `Date` and `Authorization: Signature <client_id>:<signature>`. */
export function janrainHeaders(
  clientId: string,
  secret: string,
  path: string,
  params: Readonly<Record<string, string>>,
  date = janrainDate(),
): { Date: string; Authorization: string } {
  return { Date: date, Authorization: `Signature ${clientId}:${janrainSign(secret, path, date, params)}` }
}

const CREDENTIALS = ['client_id', 'client_secret', 'access_token']

/** How a {@link JanrainTestClient} reaches the router. */
export interface JanrainTestClientOptions {
  app: Express
  /** The API base: the router's mount path. */
  base: string
  clientId: string
  clientSecret: string
  /** Sign every call (the default), or send the credentials as form parameters. */
  sign?: boolean
  /** The method of every call, `POST` like the Python client unless told. */
  method?: 'GET' | 'POST'
}

/**
 * A client that calls the router the way an existing Capture integration calls Capture: it
 * holds `client_id` and `client_secret` as default parameters of every call and, when
 * signing, takes them out and signs the rest; otherwise it posts them as they are.
 */
export class JanrainTestClient {
  constructor(private readonly options: JanrainTestClientOptions) {}

  /** One API call, e.g. `call('oauth/token', { grant_type: 'authorization_code', … })`. */
  call(apiCall: string, params: Record<string, string>, date?: string): request.Test {
    const { app, base, clientId, clientSecret, sign = true, method = 'POST' } = this.options
    const path = apiCall.startsWith('/') ? apiCall : `/${apiCall}`
    const all: Record<string, string> = { client_id: clientId, client_secret: clientSecret, ...params }
    const sent = sign ? Object.fromEntries(Object.entries(all).filter(([name]) => !CREDENTIALS.includes(name))) : all
    const headers = sign ? janrainHeaders(clientId, clientSecret, path, sent, date) : {}
    const query = new URLSearchParams(sent).toString()
    if (method === 'GET') return request(app).get(`${base}${path}?${query}`).set(headers)
    return request(app).post(`${base}${path}`).set(headers).type('form').send(query)
  }
}
