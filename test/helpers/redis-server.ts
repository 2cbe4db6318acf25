import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A free loopback TCP port, found by binding port 0. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/**
 * A throw-away `redis-server` on a loopback port that keeps nothing on disk. Stopped by PID,
 * and restartable on the same port, so tests can take Redis away and bring it back.
 */
export class RedisServer {
  #child: ChildProcess | undefined

  readonly #dir = mkdtempSync(join(tmpdir(), 'authcode-redis-'))

  private constructor(
    readonly port: number,
    readonly extraArgs: string[],
    /** A `redis-server --sentinel` rather than a data node. */
    readonly sentinel = false,
  ) {}

  static async start(extraArgs: string[] = []): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), extraArgs)
    await server.start()
    return server
  }

  /**
   * A `redis-server --sentinel` monitoring nothing yet (send it `SENTINEL MONITOR`). Sentinel
   * requires a config file it can rewrite: it gets one in its own directory.
   */
  static async startSentinel(extraArgs: string[] = []): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), extraArgs, true)
    await server.start()
    return server
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  get pid(): number | undefined {
    return this.#child?.pid
  }

  /** Starts (or restarts) the server and resolves once it accepts connections. */
  async start(): Promise<void> {
    mkdirSync(this.#dir, { recursive: true })
    const config = join(this.#dir, 'sentinel.conf')
    if (this.sentinel && !existsSync(config)) writeFileSync(config, '')
    const child = spawn(
      'redis-server',
      [
        // The config file comes first, then the mode.
        ...(this.sentinel ? [config, '--sentinel'] : []),
        // A directory of its own: a replica's full sync writes an RDB file even with --save "".
        ...['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.#dir],
        ...this.extraArgs,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    // Sentinel never says 'Ready to accept connections'; it listens before it logs its ID.
    const ready = this.sentinel ? 'Sentinel ID is' : 'Ready to accept connections'
    this.#child = child
    await new Promise<void>((resolve, reject) => {
      let output = ''
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes(ready)) {
          child.stdout?.off('data', onData)
          child.stdout?.resume()
          resolve()
        }
      }
      child.stdout?.on('data', onData)
      child.once('error', (err) =>
        reject(
          new Error(`could not start redis-server (is it installed? apt-get install redis-server / brew install redis): ${err.message}`),
        ),
      )
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)))
    })
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as with a hung Redis. */
  pause(): void {
    this.#signal('SIGSTOP')
  }

  /** Lets a paused server run again (SIGCONT); it answers everything that queued up meanwhile. */
  resume(): void {
    this.#signal('SIGCONT')
  }

  #signal(signal: NodeJS.Signals): void {
    if (!this.#child?.pid) throw new Error('redis-server is not running')
    process.kill(this.#child.pid, signal)
  }

  /** Kills the server by PID and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.#child
    this.#child = undefined
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGCONT')
        child.kill('SIGKILL')
      })
    }
    rmSync(this.#dir, { recursive: true, force: true })
  }
}
