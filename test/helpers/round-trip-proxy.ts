import { once } from 'node:events'
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy in front of a redis-server that counts the round trips its clients wait for. It
 * holds every reply `replyDelayMs` before passing it on, in order, so that the commands a
 * request sends without waiting for each other (a pipeline, commands issued in one tick, which
 * node-redis writes at once, or one sent while the app's own work ran on) reach the proxy before
 * any reply could have come back. A write starts a new round trip when a reply has reached a
 * client since the current round trip started: it may depend on that reply. A command sent only
 * after an awaited reply therefore always counts one more; the count can only err high, when the
 * app works longer than `replyDelayMs` between two commands that do not wait for each other.
 */
export class RoundTripProxy {
  #rounds = 0
  /** A reply reached a client since the current round trip started. */
  #replied = true
  readonly #sockets = new Set<Socket>()

  private constructor(
    private readonly server: Server,
    private readonly replyDelayMs: number,
  ) {}

  /** Starts a proxy on a free loopback port in front of the Redis at `upstream` (a `redis://` URL). */
  static async start(upstream: string, replyDelayMs = 200): Promise<RoundTripProxy> {
    const target = new URL(upstream)
    const server = createServer()
    const proxy = new RoundTripProxy(server, replyDelayMs)
    server.on('connection', (client) => proxy.#pipe(client, Number(target.port), target.hostname))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    return proxy
  }

  /** The URL to connect a client to, in place of the server's. */
  get url(): string {
    return `redis://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  /** Round trips counted since the last {@link reset}. */
  get roundTrips(): number {
    return this.#rounds
  }

  /** Counts from zero again, once the replies still on their way have arrived. */
  async reset(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 2 * this.replyDelayMs))
    this.#rounds = 0
    this.#replied = true
  }

  /**
   * The round trips `run` waits for, counted from a {@link reset}. Since a count can only err
   * high, `run` is counted again (up to `tries` times in all) while it counts more than
   * `atMost`, and the least count is the answer: an order that really costs a round trip more
   * counts it on every try.
   */
  async leastOf(run: () => Promise<void>, atMost: number, tries = 3): Promise<number> {
    let least = Number.POSITIVE_INFINITY
    for (let tried = 0; tried < tries && least > atMost; tried++) {
      await this.reset()
      await run()
      least = Math.min(least, this.#rounds)
    }
    await this.reset()
    return least
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    this.server.close()
    await once(this.server, 'close')
  }

  #pipe(client: Socket, port: number, host: string): void {
    const redis = createConnection({ port, host })
    for (const socket of [client, redis]) {
      this.#sockets.add(socket)
      socket.setNoDelay(true)
      socket.on('error', () => undefined)
      socket.on('close', () => {
        this.#sockets.delete(socket)
        client.destroy()
        redis.destroy()
      })
    }
    client.on('data', (chunk: Buffer) => {
      if (this.#replied) this.#rounds++
      this.#replied = false
      redis.write(chunk)
    })
    // Replies leave in the order they came, each replyDelayMs after Redis sent it.
    const held: Array<{ chunk: Buffer; due: number }> = []
    const release = () => {
      for (let next = held[0]; next !== undefined && next.due <= Date.now(); next = held[0]) {
        held.shift()
        this.#replied = true
        client.write(next.chunk)
      }
      if (held[0] !== undefined) setTimeout(release, held[0].due - Date.now())
    }
    redis.on('data', (chunk: Buffer) => {
      held.push({ chunk, due: Date.now() + this.replyDelayMs })
      if (held.length === 1) setTimeout(release, this.replyDelayMs)
    })
  }
}
