import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from 'redis'
import { kContext } from '../lib/authcode.js'
import { AtRest } from '../lib/engine/at-rest.js'
import { drawCode } from '../lib/engine/codes.js'
import { IdempotencyKey } from '../lib/engine/idempotency.js'
import { draftCode, issueCode } from '../lib/engine/issue.js'
import type { AuthcodeContext } from '../lib/options/context.js'
import { RedisStore } from '../lib/index.js'
import { slotTag } from '../lib/stores/slot-tag.js'
import type { AuthcodeOptions, AuthcodeRouter, CodeStore, StoredCode } from '../lib/index.js'
import { baseOptions, buildApp, TEST_AT_REST_KEY } from './helpers/app.js'
import { codesOptions, postCodes } from './helpers/codes.js'
import { fanOut } from './helpers/fan-out.js'
import { canStartCluster, connectCluster, RedisCluster, type TestCluster } from './helpers/redis-cluster.js'
import { uniquePrefix, useTestRedis } from './helpers/redis.js'
import { RedisServer } from './helpers/redis-server.js'

/** The id a store keeps a code under (the routers here have the test atRestKey). */
const codeId = (code: string) => new AtRest(TEST_AT_REST_KEY).codeId(code)

/** What drawing the codes of some issuances took: the ids computed and the random draws (distinct 41-character bodies), per issuance. */
interface Draws {
  ids: number[]
  bodies: number[]
}

/** Issues one code with an idempotent answer straight through the engine; returns the code and the key's record id. */
async function issueIdempotent(auth: AuthcodeRouter, draws?: Draws): Promise<{ code: string; keyId: string }> {
  const ctx = (auth as unknown as Record<symbol, AuthcodeContext>)[kContext] as AuthcodeContext
  const keyId = new IdempotencyKey(ctx.engine.atRest, 'crm', randomUUID()).id
  await ctx.engine.store.claimIdempotencyKey(keyId, 'fp', 'me', 10_000)
  const { atRest } = ctx.engine
  const hashed: string[] = []
  const codeId = atRest.codeId.bind(atRest)
  // drawCode runs synchronously inside draftCode: every id computed meanwhile is this issuance's.
  atRest.codeId = (code) => (hashed.push(code), codeId(code))
  const draft = draftCode(ctx.engine, { kind: 'magic_link', subject: 'user-42', clientId: 'crm', ttlSeconds: 60 }, keyId)
  atRest.codeId = codeId
  draws?.ids.push(hashed.length)
  draws?.bodies.push(new Set(hashed.map((code) => code.slice(2))).size)
  await issueCode(ctx.engine, draft, { answer: { keyId, owner: 'me', ttlSeconds: 60, answer: 'sealed' } })
  return { code: draft.code, keyId }
}

const record = (): StoredCode => ({ value: 'sealed', expiresAt: Date.now() + 60_000 })

describe('Drawing a code', () => {
  const at = new AtRest(TEST_AT_REST_KEY)
  const idOf = (code: string) => at.codeId(code)

  it('is 43 base64url characters, each of the 64 anywhere (the last one too), and its id starts with its first two', () => {
    const codes = Array.from({ length: 2000 }, () => drawCode(idOf))
    for (const { code, id } of codes) {
      expect(code).to.match(/^[A-Za-z0-9_-]{43}$/)
      expect(id).to.have.length(24)
      expect(id.slice(0, 2)).to.equal(code.slice(0, 2))
    }
    for (const position of [0, 1, 42])
      expect(new Set(codes.map(({ code }) => code.charAt(position))).size, `character ${position}`).to.equal(64)
  })

  it("takes the record's tag as its first two characters when the store refuses it as drawn, keeping the other 41: one draw", () => {
    const tag = 'Zq'
    const hashed: string[] = []
    const { code, id } = drawCode((drawn) => (hashed.push(drawn), idOf(drawn)), { tag, accept: (candidate) => slotTag(candidate) === tag })
    expect(code.slice(0, 2)).to.equal(tag)
    expect(id).to.equal(idOf(code))
    expect(hashed.length).to.be.at.most(2)
    expect(new Set(hashed.map((drawn) => drawn.slice(2))).size).to.equal(1)
  })

  it('keeps a code the store accepts as drawn', () => {
    const hashed: string[] = []
    const { code } = drawCode((drawn) => (hashed.push(drawn), idOf(drawn)), { tag: 'Zq', accept: () => true })
    expect(hashed).to.deep.equal([code])
  })

  it('throws when the store accepts no id that starts with the tag', () => {
    expect(() => drawCode(idOf, { tag: 'Zq', accept: () => false })).to.throw(TypeError, /acceptsCodeId/)
  })
})

describe('Slot tags of codes saved with an idempotent answer', () => {
  describe('on a standalone Redis', () => {
    const redis = useTestRedis()

    it('needs no shared slot tag, so codes keep their random first two characters: one id per code', async () => {
      const { auth } = buildApp(baseOptions({ redis: redis.client, keyPrefix: redis.prefix }))
      const draws: Draws = { ids: [], bodies: [] }
      const issued = await fanOut(20, () => issueIdempotent(auth, draws))
      // Tagged codes would all match; random ones match 1 time in 4,096.
      expect(issued.filter(({ code, keyId }) => slotTag(codeId(code)) !== slotTag(keyId)).length).to.be.greaterThan(0)
      expect(draws.ids).to.deep.equal(Array(20).fill(1))
      for (const { code } of issued) expect((await auth.redeem(code, { kind: 'magic_link' })).subject).to.equal('user-42')
    })

    it('says so as a store', () => {
      expect(new RedisStore({ client: redis.client }).acceptsCodeId('a-code-id', 'b-key-id')).to.equal(true)
    })
  })

  describe('on a Redis Cluster', function () {
    this.timeout(20_000)
    const nodesFile = join(tmpdir(), `authcode-cluster-${randomUUID()}.conf`)
    let server: RedisServer
    let cluster: TestCluster

    before(async function () {
      try {
        server = await RedisServer.start(['--cluster-enabled', 'yes', '--cluster-config-file', nodesFile])
      } catch {
        this.skip() // no redis-server binary (tests against REDIS_URL only)
      }
      // One node holding every slot: a real cluster, refusing scripts whose keys span slots.
      const admin = createClient({ url: server.url })
      await admin.connect()
      await admin.sendCommand(['CLUSTER', 'ADDSLOTSRANGE', '0', '16383'])
      while (!String(await admin.sendCommand(['CLUSTER', 'INFO'])).includes('cluster_state:ok'))
        await new Promise((resolve) => setTimeout(resolve, 50))
      await admin.close()
      cluster = await connectCluster([{ url: server.url }])
    })
    after(async () => {
      await cluster?.close()
      await server?.stop()
      await rm(nodesFile, { force: true })
    })

    const options = (overrides: Partial<AuthcodeOptions> = {}) =>
      codesOptions({ redis: cluster as unknown as AuthcodeOptions['redis'], keyPrefix: uniquePrefix(), ...overrides })

    it('says the store needs a shared slot tag', () => {
      const store = new RedisStore({ client: cluster as unknown as AuthcodeOptions['redis'] & object })
      expect(store.acceptsCodeId('ab-code-id', 'ac-key-id')).to.equal(false)
      expect(store.acceptsCodeId('ab-code-id', 'ba-key-id')).to.equal(false)
      expect(store.acceptsCodeId('ab-code-id', 'ab-key-id')).to.equal(true)
    })

    it("starts each code with its idempotency record's tag, drawn once, and saves both in one script", async () => {
      const { auth } = buildApp(options())
      const draws: Draws = { ids: [], bodies: [] }
      const issued = await fanOut(20, () => issueIdempotent(auth, draws))
      expect(draws.bodies).to.deep.equal(Array(20).fill(1))
      for (const ids of draws.ids) expect(ids).to.be.within(1, 2)
      for (const { code, keyId } of issued) {
        expect(code.slice(0, 2)).to.equal(keyId.slice(0, 2))
        expect(slotTag(codeId(code))).to.equal(slotTag(keyId))
        expect((await auth.redeem(code, { kind: 'magic_link' })).subject).to.equal('user-42')
      }
    })

    it('issues, replays and redeems a POST /codes answer', async () => {
      const built = buildApp(options())
      const key = randomUUID()
      const first = await postCodes(built.app, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
      const replay = await postCodes(built.app, { external_user_id: 'u1' }, { 'Idempotency-Key': key })
      expect(first.status).to.equal(201)
      expect(replay.status).to.equal(201)
      expect(replay.headers['idempotent-replayed']).to.equal('true')
      expect(replay.body).to.deep.equal(first.body)
      expect((await built.auth.redeem(first.body.code as string, { kind: 'magic_link' })).subject).to.equal('u1')
    })

    it('refuses to save a code with an answer in another slot', async () => {
      const store: CodeStore = new RedisStore({ client: cluster as unknown as AuthcodeOptions['redis'] & object, prefix: uniquePrefix() })
      await store.claimIdempotencyKey('a-key', 'fp', 'me', 10_000)
      let failure: unknown
      await store.save('b-code', record(), { keyId: 'a-key', owner: 'me', answer: 'sealed', ttlSeconds: 60 }).catch((err: unknown) => {
        failure = err
      })
      expect(failure).to.be.instanceOf(TypeError)
    })
  })
  describe('on a 3-master Redis Cluster', function () {
    this.timeout(60_000)
    let cluster: RedisCluster
    let client: TestCluster

    before(async function () {
      if (!canStartCluster()) this.skip()
      cluster = await RedisCluster.start()
      client = await connectCluster(cluster.rootNodes)
    })
    after(async () => {
      await client?.close()
      await cluster?.stop()
    })

    it('spreads 3,000 codes over the 3 masters, 850 to 1,150 each, with one draw per code', async () => {
      const keyPrefix = uniquePrefix()
      const { auth } = buildApp(codesOptions({ redis: client as unknown as AuthcodeOptions['redis'], keyPrefix }))
      const draws: Draws = { ids: [], bodies: [] }
      const issued: Array<{ code: string; keyId: string }> = []
      for (let batch = 0; batch < 30; batch++) issued.push(...(await fanOut(100, () => issueIdempotent(auth, draws))))
      expect(draws.bodies.every((bodies) => bodies === 1)).to.equal(true)
      const ids = draws.ids.reduce((sum, n) => sum + n, 0) / draws.ids.length
      expect(ids, 'ids computed per issuance').to.be.at.most(2)
      const perMaster: number[] = []
      for (const master of client.masters) {
        let codes = 0
        for await (const batch of (await client.nodeClient(master)).scanIterator({ MATCH: `${keyPrefix}*}code:*`, COUNT: 1000 }))
          codes += batch.length
        perMaster.push(codes)
      }
      console.log(`      codes per master: ${perMaster.join(', ')}; ids computed per issuance: ${ids.toFixed(3)}`)
      expect(perMaster.reduce((sum, n) => sum + n, 0)).to.equal(3000)
      for (const codes of perMaster) expect(codes).to.be.within(850, 1150)
      for (const { code } of issued.slice(0, 20)) expect((await auth.redeem(code, { kind: 'magic_link' })).subject).to.equal('user-42')
    })
  })
})
