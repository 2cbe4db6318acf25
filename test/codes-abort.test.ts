import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import { request } from 'node:http'
import { buildApp, MOUNT } from './helpers/app.js'
import { codesOptions, SERVICE_TOKEN } from './helpers/codes.js'
import { serve, type HttpClient } from './helpers/http.js'
import { keysUnder, uniquePrefix, useTestRedis } from './helpers/redis.js'

const LIMIT = 5

/** Sends a POST /codes for `user` and hangs up `afterMs` later, before the answer (the handler is slower). */
function postAndHangUp(port: number, user: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ external_user_id: user })
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `${MOUNT}/codes`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_TOKEN}`, 'idempotency-key': randomUUID() },
    })
    req.on('error', () => resolve())
    req.on('close', () => resolve())
    req.end(body)
    setTimeout(() => req.destroy(), afterMs)
  })
}

describe('POST /codes limits and callers that hang up', () => {
  const redis = useTestRedis()
  let served: HttpClient
  after(async () => {
    await served?.close()
  })

  it(`issues at most ${LIMIT} codes for one user to 20 requests that hang up while a slow CodeIssued handler runs`, async function () {
    this.timeout(20_000)
    const keyPrefix = uniquePrefix()
    const { app, auth } = buildApp(
      codesOptions({ redis: redis.client, keyPrefix, rateLimit: { perSubject: { limit: LIMIT, windowMs: 60_000 } } }),
    )
    let mailed = 0
    auth.on('authorization.CodeIssued', async () => {
      await new Promise((resolve) => setTimeout(resolve, 300))
      mailed++
    })
    served = await serve(app)
    const port = Number(new URL(served.baseUrl).port)
    for (let i = 0; i < 20; i++) await postAndHangUp(port, 'victim', 50)
    // Let every handler that started finish.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(mailed).to.be.at.most(LIMIT)
    const codes = (await keysUnder(redis.client, keyPrefix)).filter((key) => key.includes('}code:'))
    expect(codes.length).to.be.at.most(LIMIT)
  })
})
