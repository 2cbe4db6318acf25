import { expect } from 'chai'
import { RedisStore as SessionStore } from 'connect-redis'
import request from 'supertest'
import { MOUNT, VERIFIER, WEB_REDIRECT } from './helpers/app.js'
import { AUTHORIZE, authorizeQuery, hostApp, locationParams, signedIn } from './helpers/host-app.js'
import { keysUnder, uniquePrefix, useTestRedis } from './helpers/redis.js'

describe('GET /authorize with connect-redis sessions', () => {
  const redis = useTestRedis()

  it('signs in, issues and exchanges a code with sessions and codes on the same Redis client', async () => {
    const keyPrefix = redis.prefix
    const sessionPrefix = `${uniquePrefix()}sess:`
    const { app } = hostApp({ redis: redis.client, keyPrefix }, new SessionStore({ client: redis.client, prefix: sessionPrefix }))

    const path = `${AUTHORIZE}?${authorizeQuery()}`
    const toLogin = await request(app).get(path).expect(303)
    const returnTo = locationParams(toLogin.headers.location).get('return_to') as string
    expect(returnTo).to.equal(path)

    const agent = await signedIn(app, 'redis-user')
    expect(await keysUnder(redis.client, sessionPrefix)).to.have.length(1)
    const res = await agent.get(returnTo).expect(303)
    const code = locationParams(res.headers.location).get('code') as string
    expect((await keysUnder(redis.client, keyPrefix)).filter((key) => key.includes('}code:'))).to.have.length(1)

    const token = await request(app)
      .post(`${MOUNT}/token`)
      .type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, client_id: 'web', code_verifier: VERIFIER })
      .expect(200)
    expect(token.body.access_token).to.equal('at-for-redis-user')
  })
})
