import { expect } from 'chai'
import { InvalidGrantError, StoreUnavailableError, type AuthcodeRouter } from '../lib/index.js'
import { buildApp } from './helpers/app.js'
import { until } from './helpers/clock.js'
import { codesOptions, postCodes } from './helpers/codes.js'
import { RedisServer } from './helpers/redis-server.js'
import { connectRedis, uniquePrefix, type TestRedis } from './helpers/redis.js'

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

  it('with durability, an idempotent POST /codes the replica did not acknowledge answers 503', async () => {
    pair = await replicatedRedis()
    const { app } = buildApp(codesOptions({ redis: pair.toMaster, keyPrefix: uniquePrefix(), durability: { replicas: 1, timeoutMs: 300 } }))
    await pair.partition()
    const res = await postCodes(app, { external_user_id: 'u1' })
    expect(res.status, res.text).to.equal(503)
  })
})
