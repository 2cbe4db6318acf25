// A TypeScript host (strict, skipLibCheck off): the flow of flow.cjs, typed against the installed package.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import express from 'express'
import {
  authcode,
  InvalidGrantError,
  MemoryStore,
  type AuthcodeEvent,
  type AuthcodeOptions,
  type AuthcodeRouter,
  type Grant,
  type TokenResponse,
} from 'express-authcode'

const ISSUER = 'http://127.0.0.1/auth'
const SERVICE_TOKEN = 'consumer-service-token-0123456789'

function issueTokens(grant: Grant): TokenResponse {
  return { access_token: `at-${grant.subject}`, token_type: 'Bearer', expires_in: 3600 }
}

const options: AuthcodeOptions = {
  store: new MemoryStore(),
  issuer: ISSUER,
  clients: [{ id: 'mailer' }],
  accessTokens: [{ token: SERVICE_TOKEN, clientId: 'mailer', scopes: ['codes:issue'] }],
  issueTokens,
}
const auth: AuthcodeRouter = authcode(options)
// @ts-expect-error: issuer is required; the installed types must say so
const incomplete: AuthcodeOptions = { clients: [] }
void incomplete
const issuedCodes: string[] = []
auth.on('authorization.CodeIssued', (event) => {
  issuedCodes.push(event.data.code)
})
const redeemed: AuthcodeEvent<'authorization.CodeRedeemed'>[] = []
auth.on('authorization.CodeRedeemed', (event) => {
  redeemed.push(event)
})

const app = express()
app.use('/auth', auth)
const server = app.listen(0, '127.0.0.1')
await once(server, 'listening')
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth`
try {
  const issued = await fetch(`${base}/codes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ external_user_id: 'user-42' }),
  })
  const body = (await issued.json()) as { code: string; external_user_id: string }
  assert.equal(issued.status, 201, JSON.stringify(body))
  assert.deepEqual(issuedCodes, [body.code])
  const grant: Grant = await auth.redeem(body.code, { kind: 'magic_link' })
  assert.equal(grant.subject, 'user-42')
  assert.deepEqual(
    redeemed.map(({ data }) => data.subject),
    ['user-42'],
  )
  await assert.rejects(auth.redeem(body.code, { kind: 'magic_link' }), InvalidGrantError)

  const denied = await fetch(`${base}/codes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  assert.equal(denied.status, 401)
  assert.match(denied.headers.get('content-type') ?? '', /^application\/problem\+json/)
  const malformed = await fetch(`${base}/codes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: '{"external_user_id":',
  })
  assert.equal(malformed.status, 400)

  const metadata = await fetch(`${base}/.well-known/oauth-authorization-server`)
  assert.equal(metadata.status, 200)
  assert.equal(((await metadata.json()) as { issuer: string }).issuer, ISSUER)
} finally {
  server.close()
}
