import { expect } from 'chai'
import { createHash } from 'node:crypto'
import type { Express } from 'express'
import type { AuthcodeRouter } from '../lib/index.js'
import request from 'supertest'
import { buildApp, CRM_REDIRECT, CRM_SECRET, issue } from './helpers/app.js'
import { oauthBasic } from './helpers/http.js'
import { clientCommandsDuring, commandCalls, commandsBetween, dumpUnder } from './helpers/redis-stats.js'
import { connectRedis, useTestRedis } from './helpers/redis.js'
import { redisUrl } from './helpers/root-hooks.js'
import { RoundTripProxy } from './helpers/round-trip-proxy.js'
import { firstRefreshToken, refresh, refreshOptions, TOKEN_URL } from './helpers/refresh.js'

describe('refresh tokens on Redis', () => {
  const redis = useTestRedis()
  let app: Express
  let auth: AuthcodeRouter
  beforeEach(() => {
    ;({ app, auth } = buildApp(refreshOptions({ redis: redis.client, keyPrefix: redis.prefix }).options))
  })

  /** Every form a refresh token could be kept in that would let a dump's reader use or confirm it. */
  function formsOf(token: string): string[] {
    const sha = createHash('sha256').update(token).digest()
    return [
      token,
      token.slice(2),
      Buffer.from(token, 'base64url').toString('hex'),
      sha.toString('hex'),
      sha.toString('base64url'),
      sha.toString('base64'),
      sha.subarray(0, 16).toString('base64url'),
    ]
  }

  it('leaves no refresh token in any form in a dump of Redis: not the token, its random part, its bytes or a bare hash of it', async () => {
    const tokens: string[] = []
    for (let family = 0; family < 5; family++) {
      let token = await firstRefreshToken(app, auth)
      tokens.push(token)
      for (let rotation = 0; rotation < 3; rotation++) {
        token = (await refresh(app, token).expect(200)).body.refresh_token as string
        tokens.push(token)
      }
    }
    // One family revoked by a replay: what revocation leaves behind is dumped too.
    await refresh(app, tokens[0] as string).expect(400)
    const dump = await dumpUnder(redis.client, redis.prefix)
    expect(dump.filter(({ key }) => key.includes('}rt:')).length, 'token records and rotation markers').to.be.greaterThan(10)
    const text = dump.map(({ key, value }) => `${key} ${value}`).join('\n')
    for (const token of tokens) for (const form of formsOf(token)) expect(text).not.to.include(form)
    expect(text, 'nor whose tokens they are').not.to.include('user-42')
  })

  describe('round trips', () => {
    it('rotates a token in 2 Redis commands: read it, then the one script that consumes it and stores its successor', async () => {
      const warm = await firstRefreshToken(app, auth)
      await refresh(app, warm).expect(200)
      const token = await firstRefreshToken(app, auth)
      const before = await commandCalls(redis.client)
      const sent = await clientCommandsDuring(async () => void (await refresh(app, token).expect(200)))
      expect(sent).to.deep.equal(['get', 'evalsha'])
      const ran = commandsBetween(before, await commandCalls(redis.client))
      expect(ran.eval ?? 0, 'the script was cached').to.equal(0)
    })

    it('waits for 3 round trips with every rate limit on: the per-IP count, the read, the rotation (a client with a secret too)', async () => {
      const proxy = await RoundTripProxy.start(redisUrl())
      const client = await connectRedis(proxy.url)
      try {
        const host = buildApp(refreshOptions({ redis: client, keyPrefix: redis.prefix, rateLimit: {} }).options)
        await refresh(host.app, await firstRefreshToken(host.app, host.auth)).expect(200)
        const token = await firstRefreshToken(host.app, host.auth)
        await proxy.reset()
        await refresh(host.app, token).expect(200)
        expect(proxy.roundTrips).to.equal(3)
        const code = await issue(host.auth, {
          kind: 'capture',
          clientId: 'crm',
          redirectUri: CRM_REDIRECT,
          codeChallenge: undefined,
          scope: undefined,
        })
        const basic = { authorization: oauthBasic('crm', CRM_SECRET) }
        const exchanged = await request(host.app)
          .post(TOKEN_URL)
          .set(basic)
          .type('form')
          .send({ grant_type: 'authorization_code', code, redirect_uri: CRM_REDIRECT })
        await proxy.reset()
        await request(host.app)
          .post(TOKEN_URL)
          .set(basic)
          .type('form')
          .send({ grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token })
          .expect(200)
        expect(proxy.roundTrips, 'a client with a secret: its failed-authentication count beside the per-IP count').to.equal(3)
      } finally {
        await client.close()
        await proxy.close()
      }
    })

    it('refuses a replay in the same 2: the read, then the script that revokes the family', async () => {
      const token = await firstRefreshToken(app, auth)
      await refresh(app, token).expect(200)
      const sent = await clientCommandsDuring(async () => void (await refresh(app, token).expect(400)))
      expect(sent).to.deep.equal(['get', 'evalsha'])
    })
  })
})
