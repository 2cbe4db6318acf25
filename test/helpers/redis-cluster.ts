import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createCluster } from 'redis'
import { RedisServer } from './redis-server.js'

const run = promisify(execFile)

/** A connected cluster client discovering the cluster from `rootNodes`; errors are left to the code under test. */
export function connectCluster(rootNodes: Array<{ url: string }>) {
  const client = createCluster({ rootNodes })
  client.on('error', () => undefined)
  return client.connect()
}
export type TestCluster = Awaited<ReturnType<typeof connectCluster>>

/** Whether `redis-server` and `redis-cli` are on the PATH (a cluster cannot be started without them). */
export function canStartCluster(): boolean {
  return ['redis-server', 'redis-cli'].every((bin) => !spawnSync(bin, ['--version']).error)
}

/**
 * A throw-away 3-master Redis Cluster on free loopback ports: three `redis-server
 * --cluster-enabled yes` joined by `redis-cli --cluster create`, with their node files in a
 * temporary directory. Stopped by PID.
 */
export class RedisCluster {
  private constructor(
    readonly nodes: RedisServer[],
    readonly dir: string,
  ) {}

  static async start(masters = 3): Promise<RedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'authcode-cluster-'))
    const nodes: RedisServer[] = []
    try {
      for (let i = 0; i < masters; i++) {
        nodes.push(
          await RedisServer.start([
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${i}.conf`),
            '--dir',
            dir,
            '--cluster-node-timeout',
            '2000',
          ]),
        )
      }
      await run('redis-cli', [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ])
      const cluster = new RedisCluster(nodes, dir)
      await cluster.#untilReady()
      return cluster
    } catch (err) {
      await Promise.all(nodes.map((n) => n.stop()))
      rmSync(dir, { recursive: true, force: true })
      throw err
    }
  }

  /** Where a client starts to discover the cluster. */
  get rootNodes(): Array<{ url: string }> {
    return this.nodes.map((n) => ({ url: n.url }))
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()))
    rmSync(this.dir, { recursive: true, force: true })
  }

  async #untilReady(): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const states = await Promise.all(
        this.nodes.map(async (n) => (await run('redis-cli', ['-p', String(n.port), 'cluster', 'info'])).stdout),
      )
      if (states.every((info) => info.includes('cluster_state:ok'))) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error('the Redis Cluster did not reach cluster_state:ok')
  }
}
