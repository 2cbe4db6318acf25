/* global require, module, fetch */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS module */
// The flow the CommonJS and ESM consumer projects run against the installed package: a host app
// mounts the router, a back-end service gets a magic-link code over HTTP, the landing page
// redeems it once, and refused requests (no token, malformed JSON) leave the process answering.
const assert = require('node:assert/strict')
const { randomUUID } = require('node:crypto')
const { once } = require('node:events')

const ISSUER = 'http://127.0.0.1/auth'
const SERVICE_TOKEN = 'consumer-service-token-0123456789'

/**
 * @param express the consumer's own `express`
 * @param lib the consumer's `express-authcode` module, however it was loaded
 */
module.exports = async function flow(express, { authcode, MemoryStore, InvalidGrantError }) {
  const auth = authcode({
    store: new MemoryStore(),
    issuer: ISSUER,
    clients: [{ id: 'mailer' }],
    accessTokens: [{ token: SERVICE_TOKEN, clientId: 'mailer', scopes: ['codes:issue'] }],
    issueTokens: async (grant) => ({ access_token: `at-${grant.subject}`, token_type: 'Bearer', expires_in: 3600 }),
  })
  const app = express()
  app.use('/auth', auth)
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const base = `http://127.0.0.1:${server.address().port}/auth`
  try {
    const issued = await fetch(`${base}/codes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ external_user_id: 'user-42' }),
    })
    const body = await issued.json()
    assert.equal(issued.status, 201, JSON.stringify(body))
    assert.equal(body.external_user_id, 'user-42')
    const grant = await auth.redeem(body.code, { kind: 'magic_link' })
    assert.equal(grant.subject, 'user-42')
    await assert.rejects(auth.redeem(body.code, { kind: 'magic_link' }), InvalidGrantError)

    const denied = await fetch(`${base}/codes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    assert.equal(denied.status, 401)
    assert.match(denied.headers.get('content-type') ?? '', /^application\/problem\+json/)
    assert.equal((await denied.json()).status, 401)
    const malformed = await fetch(`${base}/codes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: '{"external_user_id":',
    })
    assert.equal(malformed.status, 400)
    assert.match((await malformed.json()).type, /malformed-json$/)

    const metadata = await fetch(`${base}/.well-known/oauth-authorization-server`)
    assert.equal(metadata.status, 200)
    assert.equal((await metadata.json()).issuer, ISSUER)
  } finally {
    server.close()
  }
}
