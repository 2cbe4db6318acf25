import { expect } from 'chai'
import request from 'supertest'
import { InvalidGrantError, RedisStore, StoreUnavailableError, type AuthcodeRouter } from '../lib/index.js'
import type { StoredCode } from '../types/index.js'
import { buildApp, MOUNT } from './helpers/app.js'
import { until } from './helpers/clock.js'
import { codesOptions, postCodes } from './helpers/codes.js'
import { RedisServer } from './helpers/redis-server.js'
import { connectRedis, uniquePrefix, type TestRedis } from './helpers/redis.js'
import { commandCalls, commandsBetween } from './helpers/redis-stats.js'
import { RoundTripProxy } from './helpers/round-trip-proxy.js'
import { firstRefreshToken, refresh, refreshOptions } from './helpers/refresh.js'

const CODES = 5

const field = async (client: TestRedis, name: string) =>
  new RegExp(`^${name}:(.*)$`, 'm').exec(await client.info('replication'))?.[1]?.trim()

/**
 * A master and a replica of it, as Sentinel runs them. `partition()` cuts the replica off (it
 * stops receiving writes, as behind a network partition, and acknowledges nothing);
 * `promote()` kills the master and makes the replica the master, as a failover does.
 */
async function replicatedRedis() {
  // A full sync through an RDB file starts at once; a diskless one waits 5 s for more replicas.
  const master = await RedisServer.start(['--repl-diskless-sync', 'no'])
  const replica = await RedisServer.start(['--repl-diskless-sync', 'no', '--replicaof', '127.0.0.1', String(master.port)])
  const [toMaster, toReplica] = await Promise.all([connectRedis(master.url), connectRedis(replica.url)])
  await until('the replica to sync', async () => (await field(toReplica, 'master_link_status')) === 'up')
  return {
    master,
    replica,
    toMaster,
    toReplica,
    /** Waits until the replica has every write the master has. */
    synced: () =>
      until('the replica to catch up', async () => {
        const offset = await field(toMaster, 'master_repl_offset')
        return offset !== undefined && (await field(toReplica, 'slave_repl_offset')) === offset
      }),
    async partition() {
      await toReplica.sendCommand(['REPLICAOF', 'NO', 'ONE'])
      await until('the master to see no replica', async () => (await field(toMaster, 'connected_slaves')) === '0')
    },
    async promote() {
      await master.stop()
      await toReplica.sendCommand(['REPLICAOF', 'NO', 'ONE'])
    },
    async close() {
      await Promise.all([toMaster, toReplica].map((c) => c.close().catch(() => undefined)))
      await Promise.all([master.stop(), replica.stop()])
    },
  }
}

type Pair = Awaited<ReturnType<typeof replicatedRedis>>

/** How each code fares when presented: a grant, a refusal, or an unavailable store. */
async function present(auth: AuthcodeRouter, codes: string[]): Promise<string[]> {
  return Promise.all(
    codes.map((code) =>
      auth.redeem(code, { kind: 'magic_link' }).then(
        () => 'granted',
        (err: unknown) =>
          err instanceof InvalidGrantError ? 'refused' : err instanceof StoreUnavailableError ? 'unavailable' : String(err),
      ),
    ),
  )
}

async function issueOn(pair: Pair, keyPrefix: string, durable: boolean): Promise<{ auth: AuthcodeRouter; codes: string[] }> {
  const durability = durable ? { durability: { replicas: 1, timeoutMs: 300 } } : {}
  const { app, auth } = buildApp(codesOptions({ redis: pair.toMaster, keyPrefix, ...durability }))
  const codes: string[] = []
  for (let i = 0; i < CODES; i++) {
    const res = await postCodes(app, { external_user_id: `user-${i}` })
    expect(res.status, res.text).to.equal(201)
    codes.push(res.body.code as string)
  }
  await pair.synced()
  return { auth, codes }
}

describe('durability across a failover (master + replica)', function () {
  this.timeout(30_000)
  let pair: Pair | undefined
  afterEach(async () => {
    await pair?.close()
    pair = undefined
  })

  const afterFailover = (keyPrefix: string) => buildApp(codesOptions({ redis: (pair as Pair).toReplica, keyPrefix })).auth

  it('without durability, a replica promoted after redemptions it did not get redeems the same codes again', async () => {
    pair = await replicatedRedis()
    const keyPrefix = uniquePrefix()
    const { auth, codes } = await issueOn(pair, keyPrefix, false)
    await pair.partition()
    expect(await present(auth, codes)).to.deep.equal(Array(CODES).fill('granted'))
    await pair.promote()
    expect(await present(afterFailover(keyPrefix), codes), 'each code a second time').to.deep.equal(Array(CODES).fill('granted'))
  })

  it('with durability, no code is granted twice: a redemption the replica did not acknowledge answers 503 and grants nothing', async () => {
    pair = await replicatedRedis()
    const keyPrefix = uniquePrefix()
    const { auth, codes } = await issueOn(pair, keyPrefix, true)
    await pair.partition()
    expect(await present(auth, codes)).to.deep.equal(Array(CODES).fill('unavailable'))
    await pair.promote()
    const promoted = afterFailover(keyPrefix)
    expect(await present(promoted, codes), 'the first grant of each code').to.deep.equal(Array(CODES).fill('granted'))
    expect(await present(promoted, codes), 'and never another').to.deep.equal(Array(CODES).fill('refused'))
  })

  it('with durability and a healthy replica, redemptions succeed and stay consumed after a failover', async () => {
    pair = await replicatedRedis()
    const keyPrefix = uniquePrefix()
    const { auth, codes } = await issueOn(pair, keyPrefix, true)
    expect(await present(auth, codes)).to.deep.equal(Array(CODES).fill('granted'))
    await pair.promote()
    expect(await present(afterFailover(keyPrefix), codes)).to.deep.equal(Array(CODES).fill('refused'))
  })

  describe('revocation and passcode replacement', () => {
    const DURABLE = { replicas: 1, timeoutMs: 300 }
    const settled = (pending: Promise<unknown>) =>
      pending.then(
        (value) => `resolved ${String(value)}`,
        (err: unknown) => (err instanceof StoreUnavailableError ? 'unavailable' : String(err)),
      )

    it('with durability, auth.revokeCodes() resolves once a replica has the revocation, and rejects when none acknowledges', async () => {
      pair = await replicatedRedis()
      const keyPrefix = uniquePrefix()
      const { auth, codes } = await issueOn(pair, keyPrefix, true)
      expect(await settled(auth.revokeCodes({ subject: 'user-0' }))).to.equal('resolved 1')
      await pair.partition()
      expect(await settled(auth.revokeCodes({ subject: 'user-1' })), 'no replica acknowledges').to.equal('unavailable')
      await pair.promote()
      // The first revocation reached the replica before the failover; the second, refused, did not.
      expect(await present(afterFailover(keyPrefix), codes.slice(0, 2))).to.deep.equal(['refused', 'granted'])
    })

    it('with durability, a revocation of earlier codes (singleActiveCode) or a replaced passcode waits for a replica too', async () => {
      pair = await replicatedRedis()
      const store = new RedisStore({ client: pair.toMaster, prefix: uniquePrefix(), durability: DURABLE })
      const code = (group: string, withPasscode: boolean): StoredCode => ({
        value: 'sealed',
        expiresAt: Date.now() + 60_000,
        owner: { group, clientId: 'crm' },
        ...(withPasscode ? { passcode: { group: `pin-${group}`, mac: 'mac', wrappedKey: 'wrapped', maxAttempts: 5 } } : {}),
      })
      for (const id of ['a1', 'a2']) expect(await store.save(id, code('a', true))).to.equal(true)
      expect(await settled(store.revoke('a', { except: 'a2' })), 'with the replica').to.equal('resolved 1')
      expect(await store.save('b1', code('b', true))).to.equal(true)
      expect(await store.save('c1', code('c', false))).to.equal(true)
      await pair.partition()
      expect(await settled(store.save('b2', code('b', true))), 'a new passcode replacing the live one').to.equal('unavailable')
      expect(await settled(store.revoke('c', { except: 'c2' })), 'singleActiveCode revoking c1').to.equal('unavailable')
    })
  })

  describe('refresh tokens', () => {
    /** An app with refresh tokens on the pair's master, with or without durability. */
    function refreshApp(client: TestRedis, keyPrefix: string, durable: boolean) {
      const durability = durable ? { durability: { replicas: 1, timeoutMs: 300 } } : {}
      return buildApp(refreshOptions({ redis: client, keyPrefix, ...durability }).options)
    }

    it('without durability, a replica promoted after a rotation it did not get rotates the consumed token again', async () => {
      pair = await replicatedRedis()
      const keyPrefix = uniquePrefix()
      const { app, auth } = refreshApp(pair.toMaster, keyPrefix, false)
      const token = await firstRefreshToken(app, auth)
      await pair.synced()
      await pair.partition()
      expect((await refresh(app, token)).status).to.equal(200)
      await pair.promote()
      expect((await refresh(refreshApp(pair.toReplica, keyPrefix, false).app, token)).status, 'the same token, twice').to.equal(200)
    })

    it('with durability, auth.revokeGrants() and POST /revoke resolve once a replica holds the revocation, and fail when none acknowledges', async () => {
      pair = await replicatedRedis()
      const keyPrefix = uniquePrefix()
      const { app, auth } = refreshApp(pair.toMaster, keyPrefix, true)
      const revokeAt = (token: string) => request(app).post(`${MOUNT}/revoke`).type('form').send({ token, client_id: 'web' })
      for (let i = 0; i < 3; i++) await firstRefreshToken(app, auth)
      expect(await auth.revokeGrants({ subject: 'user-42' }), 'with the replica').to.deep.equal({ families: 3, codes: 0 })
      const [one, two] = [await firstRefreshToken(app, auth), await firstRefreshToken(app, auth)]
      const third = await firstRefreshToken(app, auth)
      expect((await revokeAt(one)).status, 'with the replica').to.equal(200)
      await pair.partition()
      expect((await revokeAt(two)).status, 'no replica acknowledges').to.equal(503)
      const refused = await auth.revokeGrants({ subject: 'user-42' }).catch((err: unknown) => err)
      expect(refused, 'no replica acknowledges').to.be.instanceOf(StoreUnavailableError)
      await pair.promote()
      const promoted = refreshApp(pair.toReplica, keyPrefix, false).app
      expect((await refresh(promoted, two)).status, 'the unacknowledged revocations were lost in the failover: hence the 503').to.equal(200)
      expect((await refresh(promoted, third)).status).to.equal(200)
      expect((await refresh(promoted, one)).body.error, 'the acknowledged one was not').to.equal('invalid_grant')
    })

    it('with durability, a rotation waits for the replica (read, then rotate and WAIT together: 2 round trips), and one it did not acknowledge answers 503', async () => {
      pair = await replicatedRedis()
      const keyPrefix = uniquePrefix()
      const proxy = await RoundTripProxy.start(pair.master.url)
      const throughProxy = await connectRedis(proxy.url)
      try {
        const measured = refreshApp(throughProxy, keyPrefix, true)
        await refresh(measured.app, await firstRefreshToken(measured.app, measured.auth)).expect(200)
        const measuredToken = await firstRefreshToken(measured.app, measured.auth)
        await proxy.reset()
        await refresh(measured.app, measuredToken).expect(200)
        expect(proxy.roundTrips, 'round trips of a durable rotation').to.equal(2)
      } finally {
        await throughProxy.close()
        await proxy.close()
      }
      const { app, auth } = refreshApp(pair.toMaster, keyPrefix, true)
      const token = await firstRefreshToken(app, auth)
      await pair.synced()
      const before = await commandCalls(pair.toMaster)
      const rotated = await refresh(app, token)
      expect(rotated.status, JSON.stringify(rotated.body)).to.equal(200)
      const ran = commandsBetween(before, await commandCalls(pair.toMaster))
      // commandstats counts what the script runs too (2 GET, TIME, 3 SET) and the replica's REPLCONF: the client sent GET, EVALSHA, WAIT.
      expect(ran).to.deep.equal({ get: 3, time: 1, set: 3, evalsha: 1, wait: 1, replconf: ran.replconf })
      // A master that lost its scripts (a restart, a failover) runs the rotation by EVAL and waits again behind it.
      await pair.toMaster.sendCommand(['SCRIPT', 'FLUSH'])
      const flushed = await commandCalls(pair.toMaster)
      const again = await refresh(app, rotated.body.refresh_token as string)
      expect(again.status, JSON.stringify(again.body)).to.equal(200)
      const reloaded = commandsBetween(flushed, await commandCalls(pair.toMaster))
      expect({ evalsha: reloaded.evalsha, eval: reloaded.eval, wait: reloaded.wait }).to.deep.equal({ evalsha: 1, eval: 1, wait: 2 })
      const next = again.body.refresh_token as string
      await pair.partition()
      const refused = await refresh(app, next)
      expect(refused.status, 'no replica acknowledges').to.equal(503)
      expect(refused.body.refresh_token).to.equal(undefined)
      await pair.promote()
      // The promoted master has no replica left to wait for: read it without durability.
      const promoted = refreshApp(pair.toReplica, keyPrefix, false).app
      expect((await refresh(promoted, token)).status, 'the acknowledged rotation survived the failover').to.equal(400)
    })
  })

  it('with durability, an idempotent POST /codes the replica did not acknowledge answers 503', async () => {
    pair = await replicatedRedis()
    const { app } = buildApp(codesOptions({ redis: pair.toMaster, keyPrefix: uniquePrefix(), durability: { replicas: 1, timeoutMs: 300 } }))
    await pair.partition()
    const res = await postCodes(app, { external_user_id: 'u1' })
    expect(res.status, res.text).to.equal(503)
  })
})
