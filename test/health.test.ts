import { expect } from 'chai'
import { createClient, createCluster } from 'redis'
import { MemoryStore, type AuthcodeRouter, type CodeStore } from '../lib/index.js'
import { baseOptions, buildApp } from './helpers/app.js'
import { sleep, until } from './helpers/clock.js'
import { codesOptions, postCodes } from './helpers/codes.js'
import { canStartCluster, RedisCluster } from './helpers/redis-cluster.js'
import { RedisServer } from './helpers/redis-server.js'
import { uniquePrefix } from './helpers/redis.js'

/** A client as docs/operations.md recommends it: fails fast while Redis is away, reconnects quickly. */
const clientFor = (url: string, credentials: { username?: string; password?: string } = {}) =>
  createClient({ url, ...credentials, disableOfflineQueue: true, socket: { reconnectStrategy: () => 50 } })
type Client = ReturnType<typeof clientFor>

async function connect(url: string, credentials: { username?: string; password?: string } = {}): Promise<Client> {
  const client = clientFor(url, credentials)
  client.on('error', () => undefined)
  await client.connect()
  return client
}

/** A logger that keeps what it is given. */
function recordingLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message?: string }> = []
  const at = (level: string) => (fields: object, message?: string) =>
    void lines.push({ level, fields: fields as Record<string, unknown>, message })
  // Warnings are left out: the test routers mount only /codes, and authcode() warns about the rest.
  return { lines, logger: { error: at('error'), warn: () => undefined, info: at('info') } }
}

function routerOn(redis: Client, logger?: ReturnType<typeof recordingLogger>['logger']): AuthcodeRouter {
  return buildApp(baseOptions({ redis, keyPrefix: uniquePrefix(), ...(logger ? { logger } : {}) })).auth
}

/**
 * Drops every client connection of `server` but `admin`'s, and waits until `client` is ready
 * again and the router's check has had its answers: Redis answers one connection in order, so
 * once `auth.health()` resolves, the check sent before it has its reply too.
 */
async function reconnect(admin: Client, client: Client, auth: AuthcodeRouter): Promise<void> {
  // Not events.once: it rejects on the 'error' the dropped connection emits first.
  const ready = new Promise((resolve) => client.once('ready', resolve))
  await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'])
  await ready
  await auth.health()
  await sleep(20)
}

describe('auth.health() (SPEC §7)', function () {
  this.timeout(20_000)
  const servers: RedisServer[] = []
  const clients: Client[] = []
  const start = async (args: string[] = []) => {
    const server = await RedisServer.start(args)
    servers.push(server)
    const client = await connect(server.url)
    clients.push(client)
    return { server, client }
  }
  after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)))
    await Promise.all(servers.map((s) => s.stop()))
  })

  it('resolves ok with the PING latency, the eviction policy and the replica count of a healthy Redis', async () => {
    const { client } = await start()
    const health = await routerOn(client).health()
    expect(health).to.deep.include({ ok: true })
    expect(health.store).to.include({ ok: true, evictionPolicy: 'noeviction', replicas: 0 })
    expect(health.store.latencyMs).to.be.a('number').within(0, 1000)
  })

  it('resolves ok: false within the command deadline, without throwing, while Redis is stopped, and ok again once it is back', async () => {
    const { server, client } = await start()
    const auth = routerOn(client)
    await server.stop()
    const started = Date.now()
    const health = await auth.health()
    expect(Date.now() - started).to.be.below(2000)
    expect(health.ok).to.equal(false)
    expect(health.store.ok).to.equal(false)
    expect(health.store).not.to.have.property('evictionPolicy')
    await server.start()
    await until('the client reconnecting', () => client.isReady)
    expect((await auth.health()).ok).to.equal(true)
  })

  it('resolves ok: false when Redis evicts keys, and names the policy', async () => {
    const { client } = await start(['--maxmemory-policy', 'allkeys-lru'])
    const health = await routerOn(client, recordingLogger().logger).health()
    expect(health.ok).to.equal(false)
    expect(health.store).to.include({ ok: false, evictionPolicy: 'allkeys-lru' })
    expect(health.store.problems).to.have.length(1)
    expect(health.store.problems?.[0]).to.include({ code: 'evicting-policy', fix: 'CONFIG SET maxmemory-policy noeviction' })
    expect(health.store.problems?.[0]?.reason).to.match(/consumed markers, signature claims and idempotency records/)
  })

  describe('with durability: { replicas: 1 }', () => {
    const durability = { replicas: 1, timeoutMs: 200 }

    it('resolves ok: false, naming the missing replica and the fix, while POST /codes answers 503 for lack of it', async () => {
      const { client } = await start()
      const { app, auth } = buildApp(codesOptions({ redis: client, keyPrefix: uniquePrefix(), durability }))
      expect((await postCodes(app, { external_user_id: 'u1' })).status, 'the symptom').to.equal(503)
      const health = await auth.health()
      expect(health.ok).to.equal(false)
      expect(health.store).to.include({ ok: false, evictionPolicy: 'noeviction', replicas: 0, replicasRequired: 1 })
      expect(health.store.problems).to.have.length(1)
      const [problem] = health.store.problems ?? []
      expect(problem?.code).to.equal('too-few-replicas')
      expect(problem?.reason).to.match(/durability waits for 1 replica .*, and 0 connected/)
      expect(problem?.fix).to.match(/REPLICAOF/)
    })

    it('resolves ok once a replica is connected, and POST /codes issues', async () => {
      const { server: master, client } = await start(['--repl-diskless-sync', 'no'])
      const { client: toReplica } = await start(['--repl-diskless-sync', 'no', '--replicaof', '127.0.0.1', String(master.port)])
      await until('the replica to sync', async () => /^master_link_status:up\r?$/m.test(await toReplica.info('replication')))
      const { app, auth } = buildApp(codesOptions({ redis: client, keyPrefix: uniquePrefix(), durability }))
      const health = await auth.health()
      expect(health.ok).to.equal(true)
      expect(health.store).to.include({ ok: true, replicas: 1, replicasRequired: 1 })
      expect(health.store).not.to.have.property('problems')
      expect((await postCodes(app, { external_user_id: 'u1' })).status).to.equal(201)
    })
  })

  it('treats a refused INFO (as some managed Redis ACLs have it) as an unknown policy, not as Redis down', async () => {
    const { server, client } = await start()
    await client.sendCommand(['ACL', 'SETUSER', 'probe', 'on', '>probe-password-1234', '~*', '&*', '+@all', '-info'])
    const limited = await connect(server.url, { username: 'probe', password: 'probe-password-1234' })
    clients.push(limited)
    const health = await routerOn(limited).health()
    expect(health.ok).to.equal(true)
    expect(health.store.ok).to.equal(true)
    expect(health.store).not.to.have.any.keys('evictionPolicy', 'replicas')
  })

  it('reports a Redis Cluster healthy, from one of its nodes', async function () {
    if (!canStartCluster()) this.skip()
    const cluster = await RedisCluster.start()
    const client = createCluster({ rootNodes: cluster.rootNodes })
    client.on('error', () => undefined)
    try {
      await client.connect()
      const { auth } = buildApp(baseOptions({ redis: client, keyPrefix: uniquePrefix() }))
      const health = await auth.health()
      expect(health.ok).to.equal(true)
      expect(health.store).to.include({ ok: true, evictionPolicy: 'noeviction' })
    } finally {
      await client.close().catch(() => undefined)
      await cluster.stop()
    }
  })

  it('reports a MemoryStore healthy, with no eviction policy', async () => {
    const store = new MemoryStore()
    try {
      expect(await buildApp(baseOptions({ store })).auth.health()).to.deep.equal({ ok: true, store: { ok: true, latencyMs: 0 } })
    } finally {
      store.close()
    }
  })

  it('never rejects: a store whose check throws is reported down, one without a check healthy', async () => {
    const store = new MemoryStore()
    try {
      const throwing = Object.assign(Object.create(store) as CodeStore, {
        health: () => Promise.reject(new Error('boom')),
      })
      const bare = new Proxy(store, { get: (target, name) => (name === 'health' ? undefined : Reflect.get(target, name, target)) })
      expect((await buildApp(baseOptions({ store: throwing })).auth.health()).ok).to.equal(false)
      expect((await buildApp(baseOptions({ store: bare })).auth.health()).ok).to.equal(true)
    } finally {
      store.close()
    }
  })
})

describe('eviction-policy check at start and on reconnect (SPEC §7)', function () {
  this.timeout(30_000)
  let server: RedisServer
  let admin: Client
  let client: Client
  before(async () => {
    server = await RedisServer.start(['--maxmemory-policy', 'allkeys-lru'])
    admin = await connect(server.url)
    client = await connect(server.url)
  })
  after(async () => {
    await Promise.all([admin, client].map((c) => c?.close().catch(() => undefined)))
    await server?.stop()
  })
  afterEach(async () => {
    await admin.sendCommand(['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'])
  })

  it('logs one error at start naming CONFIG SET maxmemory-policy noeviction and why, without blocking authcode()', async () => {
    const { lines, logger } = recordingLogger()
    routerOn(client, logger)
    expect(lines, 'nothing logged before authcode() returned').to.deep.equal([])
    await until('the eviction error', () => lines.length > 0)
    await sleep(100)
    expect(lines).to.have.length(1)
    const [line] = lines
    expect(line?.level).to.equal('error')
    expect(line?.message).to.equal('express-authcode: Redis may evict keys; set maxmemory-policy to noeviction')
    expect(line?.fields).to.include({ evictionPolicy: 'allkeys-lru', fix: 'CONFIG SET maxmemory-policy noeviction' })
    expect(String(line?.fields.why)).to.match(/consumed markers, signature claims and idempotency records/)
  })

  it('checks again whenever the client reconnects, and logs again only after the policy changed', async () => {
    const { lines, logger } = recordingLogger()
    const auth = routerOn(client, logger)
    await until('the eviction error', () => lines.length === 1)
    await reconnect(admin, client, auth)
    expect(lines, 'the same policy again').to.have.length(1)
    await admin.sendCommand(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'])
    await reconnect(admin, client, auth)
    expect(lines, 'noeviction is fine').to.have.length(1)
    await admin.sendCommand(['CONFIG', 'SET', 'maxmemory-policy', 'volatile-ttl'])
    await reconnect(admin, client, auth)
    expect(lines.map((l) => l.fields.evictionPolicy)).to.deep.equal(['allkeys-lru', 'volatile-ttl'])
  })

  it('survives a Redis that is away at start, and logs once it is back', async () => {
    const { lines, logger } = recordingLogger()
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      await server.stop()
      await until('the client noticing', () => !client.isReady)
      routerOn(client, logger)
      await sleep(200)
      expect(lines).to.deep.equal([])
      await server.start()
      await until('the eviction error after the reconnect', () => lines.length === 1)
      await until('the admin client reconnecting', () => admin.isReady)
      expect(unhandled).to.deep.equal([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('stays silent when Redis does not evict (noeviction), at start and on reconnect', async () => {
    await admin.sendCommand(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'])
    const { lines, logger } = recordingLogger()
    const auth = routerOn(client, logger)
    expect((await auth.health()).store.evictionPolicy).to.equal('noeviction')
    await reconnect(admin, client, auth)
    expect(lines).to.deep.equal([])
  })

  it('adds one ready listener to a client, however many routers are built on it', () => {
    const before = client.listenerCount('ready')
    for (let i = 0; i < 20; i++) routerOn(client, recordingLogger().logger)
    expect(client.listenerCount('ready') - before).to.be.at.most(1)
  })
})
