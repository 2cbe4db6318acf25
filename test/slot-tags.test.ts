import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from 'redis'
import { kContext } from '../lib/authcode.js'
import { AtRest } from '../lib/engine/at-rest.js'
import { draftCode, issueCode } from '../lib/engine/issue.js'
import type { AuthcodeContext } from '../lib/options/context.js'
import { RedisStore } from '../lib/index.js'
import { slotTag } from '../lib/stores/slot-tag.js'
import type { AuthcodeOptions, AuthcodeRouter, CodeStore, StoredCode } from '../lib/index.js'
import { baseOptions, buildApp, TEST_AT_REST_KEY } from './helpers/app.js'
import { codesOptions, postCodes } from './helpers/codes.js'
import { fanOut } from './helpers/fan-out.js'
import { connectCluster, type TestCluster } from './helpers/redis-cluster.js'
import { uniquePrefix, useTestRedis } from './helpers/redis.js'
import { RedisServer } from './helpers/redis-server.js'

/** The id a store keeps a code under (the routers here have the test atRestKey). */
const codeId = (code: string) => new AtRest(TEST_AT_REST_KEY).codeId(code)

/** Issues one code with an idempotent answer straight through the engine; returns the code and the key's record id. */
async function issueIdempotent(auth: AuthcodeRouter): Promise<{ code: string; keyId: string }> {
  const ctx = (auth as unknown as Record<symbol, AuthcodeContext>)[kContext] as AuthcodeContext
  const keyId = codeId(randomUUID())
  await ctx.options.store.claimIdempotencyKey(keyId, 'fp', 'me', 10_000)
  const draft = draftCode(ctx.engine, { kind: 'magic_link', subject: 'user-42', clientId: 'crm', ttlSeconds: 60 }, keyId)
  await issueCode(ctx.engine, draft, { answer: { keyId, owner: 'me', ttlSeconds: 60, answer: 'sealed' } })
  return { code: draft.code, keyId }
}

const record = (): StoredCode => ({ value: 'sealed', expiresAt: Date.now() + 60_000 })

describe('Slot tags of codes saved with an idempotent answer', () => {
  describe('on a standalone Redis', () => {
    const redis = useTestRedis()

    it("needs no shared slot tag, so codes are not drawn into the record's slot", async () => {
      const { auth } = buildApp(baseOptions({ redis: redis.client, keyPrefix: redis.prefix }))
      const issued = await fanOut(20, () => issueIdempotent(auth))
      // Drawn codes would all match; undrawn ones match 1 time in 64.
      expect(issued.filter(({ code, keyId }) => slotTag(codeId(code)) !== slotTag(keyId)).length).to.be.greaterThan(0)
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
      expect(store.acceptsCodeId('a-code-id', 'b-key-id')).to.equal(false)
      expect(store.acceptsCodeId('k-code-id', 'k-key-id')).to.equal(true)
    })

    it("draws each code into its idempotency record's slot and saves both in one script", async () => {
      const { auth } = buildApp(options())
      const issued = await fanOut(5, () => issueIdempotent(auth))
      for (const { code, keyId } of issued) {
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
})
