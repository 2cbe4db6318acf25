import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import { RedisStore, type AuthcodeRouter } from '../lib/index.js'
import { buildApp, CRM_REDIRECT, issue, MOUNT, tokenRequest } from './helpers/app.js'
import { endpoints, fullOptions, SECRETS } from './helpers/endpoints.js'
import { captureBasic, form, serve, withAuth, type HttpAnswer, type HttpRequest, type HttpClient } from './helpers/http.js'
import { useTestRedis } from './helpers/redis.js'

/** Runs `work` with everything written to the console, stdout and stderr recorded instead of printed. */
async function capturingOutput(work: () => Promise<void>): Promise<string> {
  const chunks: string[] = []
  const record = (...args: unknown[]) =>
    void chunks.push(args.map((a) => (a instanceof Error ? `${a.stack} ${String(a.cause)}` : String(a))).join(' '))
  const saved = {
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
    debug: console.debug,
    out: process.stdout.write,
    err: process.stderr.write,
  }
  Object.assign(console, { log: record, info: record, warn: record, error: record, debug: record })
  process.stdout.write = ((chunk: unknown) => (record(chunk), true)) as typeof process.stdout.write
  process.stderr.write = ((chunk: unknown) => (record(chunk), true)) as typeof process.stderr.write
  try {
    await work()
  } finally {
    Object.assign(console, { log: saved.log, info: saved.info, warn: saved.warn, error: saved.error, debug: saved.debug })
    process.stdout.write = saved.out
    process.stderr.write = saved.err
  }
  return chunks.join('\n')
}

/** A failure whose message carries `secrets` over several lines, as a careless host handler might throw. */
function leakyError(secrets: string[]): Error {
  return new Error(`handler failed\n${secrets.map((s) => `value=${s}`).join('\n')}`, { cause: new Error(secrets.join(' ')) })
}

describe('secrets in output', () => {
  // A server of its own: the test takes it away. An evicting policy, so the start-up eviction error is among the output checked too.
  const redis = useTestRedis({ ownServer: { args: ['--maxmemory-policy', 'allkeys-lru'] }, client: { disableOfflineQueue: true } })

  it('never writes a code, client secret, bearer token, access token or Idempotency-Key to the console or an error answer, even when handlers and Redis fail', async function () {
    this.timeout(30_000)
    const secrets = new Set<string>([SECRETS.crmSecret, SECRETS.serviceToken])
    const errorAnswers: HttpAnswer[] = []
    let auth: AuthcodeRouter
    let served: HttpClient | undefined
    let failing = false
    const send = async (req: HttpRequest) => {
      const res = await (served as HttpClient).send(req)
      if (res.status >= 300) errorAnswers.push(res)
      return res
    }
    const output = await capturingOutput(async () => {
      const built = buildApp(
        fullOptions({
          store: new RedisStore({ client: redis.client, prefix: redis.prefix }),
          issueTokens: (grant) => {
            const token = `at-${randomUUID()}`
            secrets.add(token)
            if (failing) throw leakyError([...secrets])
            return { access_token: token, token_type: 'Bearer', expires_in: 60, subject: grant.subject }
          },
        }),
      )
      auth = built.auth
      served = await serve(built.app)
      auth.on('authorization.CodeIssued', ({ data }) => {
        secrets.add(data.code)
        if (failing) throw leakyError([...secrets])
      })
      auth.on('authorization.CodeRedeemed', () => {
        if (failing) throw leakyError([...secrets])
      })
      const track = (req: HttpRequest) => {
        const key = req.headers?.['idempotency-key']
        if (key) secrets.add(key)
        return req
      }

      // Every endpoint once while all is well, once with every host handler throwing.
      for (const phase of [false, true]) {
        const requests = [...(await Promise.all(endpoints.map(async (e) => track(await e.valid(auth))))), tokenRequest(await issue(auth))]
        failing = phase
        for (const req of requests) await send(req)
        failing = false
      }
      // Wrong credentials echo nothing of what was sent.
      const wrong = `wrong-${randomUUID()}`
      secrets.add(wrong)
      await send(tokenRequest(await issue(auth), { client_id: 'crm', client_secret: wrong }))
      await send({
        method: 'POST',
        path: `${MOUNT}/access/getAuthorizationCode`,
        ...withAuth(form({ uuid: 'u1', redirect_uri: CRM_REDIRECT }), captureBasic('crm', wrong)),
      })
      await send({
        method: 'POST',
        path: `${MOUNT}/codes`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${wrong}`, 'idempotency-key': randomUUID() },
        body: '{"external_user_id":"u1"}',
      })
      // A used code, presented again.
      const used = await issue(auth)
      secrets.add(used)
      await send(tokenRequest(used))
      await send(tokenRequest(used))
      // And with Redis gone.
      await redis.server.stop()
      for (const endpoint of endpoints)
        await send(track(await endpoint.valid(auth).catch(() => ({ method: 'GET', path: `${MOUNT}/authorize` }) as HttpRequest)))
      await redis.server.start()
    })
    await served?.close()

    expect(errorAnswers.length).to.be.greaterThan(10)
    expect(output).to.include('express-authcode: request failed', 'the failures were logged')
    expect(output).to.include('express-authcode: Redis may evict keys', 'the eviction policy was logged')
    for (const secret of secrets) {
      expect(output, 'console output').not.to.include(secret)
      for (const res of errorAnswers) {
        // A code travels in an /authorize redirect's Location by design; everything else must not carry one.
        const { location: _location, ...headers } = res.headers
        expect(`${JSON.stringify(headers)} ${res.text}`, `${res.status} answer`).not.to.include(secret)
      }
    }
  })
})
