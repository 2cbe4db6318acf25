import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import type { AuthcodeRouter } from '../lib/index.js'
import { buildApp, issue, MOUNT, tokenForm } from './helpers/app.js'
import { SERVICE_TOKEN, READ_ONLY_TOKEN } from './helpers/codes.js'
import { fullOptions, SECRETS, USER_HEADER } from './helpers/endpoints.js'
import { authorizeQuery } from './helpers/host-app.js'
import { captureBasic, connectTo, form, withAuth, type HttpClient, type HttpRequest, type RequestPart } from './helpers/http.js'
import { startWorker, type Worker } from './helpers/processes.js'
import { useTestRedis } from './helpers/redis.js'
import { redisUrl } from './helpers/root-hooks.js'

const json = (body: unknown, headers: Record<string, string> = {}): RequestPart => ({
  headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_TOKEN}`, 'idempotency-key': randomUUID(), ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})
const post = (path: string, request: RequestPart): HttpRequest => ({
  method: 'POST',
  path: MOUNT + path,
  ...request,
})
const capture = { uuid: 'u-1', redirect_uri: 'https://crm.example.com/oauth' }

/** Every error path of every endpoint, the host's own failing callbacks included. */
async function errorPaths(auth: AuthcodeRouter): Promise<Array<{ name: string; request: HttpRequest }>> {
  const used = await issue(auth)
  const explode = await issue(auth, { subject: 'user-explode' })
  const idempotencyKey = randomUUID()
  return [
    { name: 'token: grant_type=password', request: post('/token', form({ ...tokenForm(await issue(auth)), grant_type: 'password' })) },
    { name: 'token: first use of a code', request: post('/token', form(tokenForm(used))) },
    { name: 'token: reused code', request: post('/token', form(tokenForm(used))) },
    { name: 'token: wrong verifier', request: post('/token', form(tokenForm(await issue(auth), { code_verifier: 'x'.repeat(43) }))) },
    { name: 'token: unknown client', request: post('/token', form(tokenForm(await issue(auth), { client_id: 'nobody' }))) },
    { name: 'token: bad Basic', request: post('/token', withAuth(form(tokenForm(await issue(auth))), 'Basic %%%')) },
    { name: 'token: JSON body', request: post('/token', json({ grant_type: 'authorization_code' })) },
    { name: 'token: body over 16 KiB', request: post('/token', form({ code: 'x'.repeat(20_000) })) },
    { name: 'token: issueTokens throws', request: post('/token', form(tokenForm(explode))) },
    { name: 'codes: no token', request: post('/codes', withAuth(json({ external_user_id: 'u' }), '')) },
    { name: 'codes: unknown token', request: post('/codes', withAuth(json({ external_user_id: 'u' }), 'Bearer nobody-0123456789abcdef')) },
    { name: 'codes: insufficient scope', request: post('/codes', withAuth(json({ external_user_id: 'u' }), `Bearer ${READ_ONLY_TOKEN}`)) },
    { name: 'codes: no Idempotency-Key', request: post('/codes', json({ external_user_id: 'u' }, { 'idempotency-key': '' })) },
    { name: 'codes: bad Idempotency-Key', request: post('/codes', json({ external_user_id: 'u' }, { 'idempotency-key': 'nope' })) },
    { name: 'codes: not JSON', request: post('/codes', { ...json(''), headers: { ...json('').headers, 'content-type': 'text/plain' } }) },
    { name: 'codes: malformed JSON', request: post('/codes', json('{')) },
    { name: 'codes: invalid body', request: post('/codes', json({ ttl: 5 })) },
    { name: 'codes: first use of a key', request: post('/codes', json({ external_user_id: 'u' }, { 'idempotency-key': idempotencyKey })) },
    { name: 'codes: key reused', request: post('/codes', json({ external_user_id: 'v' }, { 'idempotency-key': idempotencyKey })) },
    { name: 'codes: CodeIssued handler throws', request: post('/codes', json({ external_user_id: 'user-explode' })) },
    {
      name: 'authorize: unknown client',
      request: { method: 'GET', path: `${MOUNT}/authorize?${authorizeQuery({ client_id: 'nobody' })}` },
    },
    {
      name: 'authorize: unknown client, HTML',
      request: { method: 'GET', path: `${MOUNT}/authorize?${authorizeQuery({ client_id: 'nobody' })}`, headers: { accept: 'text/html' } },
    },
    { name: 'authorize: bad scope', request: { method: 'GET', path: `${MOUNT}/authorize?${authorizeQuery({ scope: 'admin' })}` } },
    { name: 'authorize: nobody signed in', request: { method: 'GET', path: `${MOUNT}/authorize?${authorizeQuery({ prompt: 'none' })}` } },
    {
      name: 'authorize: CodeIssued handler throws',
      request: { method: 'GET', path: `${MOUNT}/authorize?${authorizeQuery()}`, headers: { [USER_HEADER]: 'user-explode' } },
    },
    { name: 'capture: no credentials', request: post('/access/getAuthorizationCode', form(capture)) },
    { name: 'capture: wrong secret', request: post('/access/getAuthorizationCode', withAuth(form(capture), captureBasic('crm', 'wrong'))) },
    { name: 'capture: bad signature', request: post('/access/getAuthorizationCode', withAuth(form(capture), 'Signature crm:AAAA')) },
    {
      name: 'capture: missing user',
      request: post('/access/getAuthorizationCode', withAuth(form({}), captureBasic('crm', SECRETS.crmSecret))),
    },
    {
      name: 'capture: no such user',
      request: post('/access/getAuthorizationCode', withAuth(form({ ...capture, uuid: 'nobody' }), captureBasic('crm', SECRETS.crmSecret))),
    },
    {
      name: 'capture: findUser throws',
      request: post(
        '/access/getAuthorizationCode',
        withAuth(form({ ...capture, uuid: 'explode' }), captureBasic('crm', SECRETS.crmSecret)),
      ),
    },
  ]
}

describe('a host process', () => {
  const redis = useTestRedis()
  let worker: Worker<{ port: number; express: string }>
  let auth: AuthcodeRouter
  let client: HttpClient

  before(async function () {
    this.timeout(30_000)
    worker = await startWorker('full-server', { REDIS_URL: redisUrl(), KEY_PREFIX: redis.prefix })
    client = connectTo(worker.hello.port)
    ;({ auth } = buildApp(fullOptions({ redis: redis.client, keyPrefix: redis.prefix })))
  })
  after(async () => {
    await client?.close()
    await worker?.stop()
  })

  it(`runs on the Express major of this run (${process.env.EXPRESS_MAJOR ?? '5'})`, () => {
    expect(worker.hello.express.split('.')[0]).to.equal(process.env.EXPRESS_MAJOR ?? '5')
  })

  it('survives every error path of every endpoint, answering each and the next request', async function () {
    this.timeout(30_000)
    const paths = await errorPaths(auth)
    for (const { name, request } of paths) {
      const answer = await client.send(request, 5000).catch((err: Error) => {
        throw new Error(`${name}: ${err.message}`)
      })
      expect(answer.status, `${name}: ${answer.text}`).to.be.within(200, 599)
      // Only the host's own failing callbacks are server errors.
      if (!/throws/.test(name)) expect(answer.status, `${name}: ${answer.text}`).to.be.below(500)
    }
    const health = await client.send({ method: 'GET', path: `${MOUNT}/.well-known/oauth-authorization-server` }, 5000)
    expect(health.status).to.equal(200)
    expect(worker.child.exitCode).to.equal(null)
  })
})
