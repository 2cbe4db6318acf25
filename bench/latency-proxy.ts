// A TCP proxy between the bench's app processes and Redis that delays each direction by a fixed
// time (`--redis-latency MS`: MS / 2 each way), so that a run shows what each round trip costs.
import { once } from 'node:events'
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { Worker } from 'node:worker_threads'

/** Bytes one direction of a connection may hold (delayed, or waiting in the receiver's socket) before its sender is paused. */
const HIGH_WATER = 1 << 20
/** Bytes below which a paused sender reads again. */
const LOW_WATER = HIGH_WATER >> 2
/** Items due this close to now (ns) are released together with the one that woke the proxy. */
const BATCH_NS = 20_000n
/** Largest head start (µs) the timer thread takes to make up for its own wake-up lag. */
const MAX_LEAD_US = 300

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

/**
 * The timer thread. Node's timers fire on whole milliseconds, too coarse for half a millisecond:
 * this thread sleeps in `Atomics.wait` (sub-millisecond timeouts) until the deadline of the item
 * at the head of the delay line, less the lead the main thread measured it needs, then wakes the
 * main thread with a message. Shared memory: [0] a counter the main thread bumps whenever the
 * head deadline changes (or to stop), [1] 1 = stop, [2] the lead in µs; the head deadline
 * (process.hrtime.bigint(), 0 = none) as a BigInt64 at byte 16. Plain JavaScript, run with `eval`.
 */
const TIMER_THREAD = `
const { workerData, parentPort } = require('node:worker_threads')
const flags = new Int32Array(workerData, 0, 4)
const deadline = new BigInt64Array(workerData, 16, 1)
for (;;) {
  const seen = Atomics.load(flags, 0)
  if (Atomics.load(flags, 1) === 1) break
  const due = Atomics.load(deadline, 0)
  if (due === 0n) {
    Atomics.wait(flags, 0, seen)
    continue
  }
  const waitMs = Number(due - process.hrtime.bigint()) / 1e6 - Atomics.load(flags, 2) / 1000
  if (waitMs > 0.005) {
    Atomics.wait(flags, 0, seen, waitMs)
    continue
  }
  parentPort.postMessage(0)
  // The main thread publishes the next deadline (bumping the counter) once it has released the due items.
  Atomics.wait(flags, 0, seen)
}
`

interface Delayed {
  at: bigint
  release: () => void
}

/**
 * A FIFO of actions each released `delayNs` after it was queued. As every item gets the same
 * delay, the head is always the next one due, and the timer thread only needs its deadline.
 */
class DelayLine {
  #delayNs: bigint
  readonly #shared = new SharedArrayBuffer(24)
  readonly #flags = new Int32Array(this.#shared, 0, 4)
  readonly #deadline = new BigInt64Array(this.#shared, 16, 1)
  readonly #worker: Worker
  #items: Delayed[] = []
  #head = 0
  /** Mean lateness of releases, in µs (an exponential moving average), which the timer thread starts that much earlier to cancel. */
  #leadUs = 50

  constructor(delayMs: number) {
    this.#delayNs = BigInt(Math.round(delayMs * 1e6))
    Atomics.store(this.#flags, 2, this.#leadUs)
    this.#worker = new Worker(TIMER_THREAD, { eval: true, workerData: this.#shared })
    this.#worker.on('message', () => this.#releaseDue())
    this.#worker.on('error', (err) => {
      console.error(`latency proxy: timer thread failed: ${err.message}`)
      process.exit(1)
    })
  }

  /** The delay of the items queued from now on (the ones queued before keep theirs, and the order). */
  set delayMs(ms: number) {
    this.#delayNs = BigInt(Math.round(ms * 1e6))
  }

  get delayMs(): number {
    return Number(this.#delayNs) / 1e6
  }

  /** Queues `release` to run `delayNs` from now. */
  push(release: () => void): void {
    const at = process.hrtime.bigint() + this.#delayNs
    const wasEmpty = this.#head === this.#items.length
    this.#items.push({ at, release })
    if (wasEmpty) this.#publish(at)
  }

  #publish(at: bigint): void {
    Atomics.store(this.#deadline, 0, at)
    Atomics.add(this.#flags, 0, 1)
    Atomics.notify(this.#flags, 0)
  }

  #releaseDue(): void {
    const now = process.hrtime.bigint()
    const horizon = now + BigInt(this.#leadUs * 1000) + BATCH_NS
    const first = this.#items[this.#head]
    if (first) {
      // Steer the timer thread's head start so that, on average, items leave on time.
      const lateUs = Number(now - first.at) / 1000
      this.#leadUs = Math.min(MAX_LEAD_US, Math.max(0, Math.round(this.#leadUs + 0.1 * lateUs)))
      Atomics.store(this.#flags, 2, this.#leadUs)
    }
    while (this.#head < this.#items.length && (this.#items[this.#head] as Delayed).at <= horizon) {
      const item = this.#items[this.#head++] as Delayed
      item.release()
    }
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    this.#publish(this.#items[this.#head]?.at ?? 0n)
  }

  /** Drops what is queued and stops the timer thread. */
  async close(): Promise<void> {
    this.#items = []
    this.#head = 0
    Atomics.store(this.#flags, 1, 1)
    this.#publish(0n)
    await this.#worker.terminate()
  }
}

/** One direction of a proxied connection: what `from` sends reaches `to` after the delay. */
function pipeDelayed(line: DelayLine, from: Socket, to: Socket): void {
  let held = 0
  let paused = false
  const pressure = () => held + to.writableLength
  const maybeResume = () => {
    if (paused && pressure() < LOW_WATER) {
      paused = false
      from.resume()
    }
  }
  to.on('drain', maybeResume)
  from.on('data', (chunk: Buffer) => {
    held += chunk.length
    line.push(() => {
      held -= chunk.length
      if (to.destroyed) return
      to.write(chunk)
      maybeResume()
    })
    if (!paused && pressure() > HIGH_WATER) {
      paused = true
      from.pause()
    }
  })
  // A half-close travels like data: after what was sent before it, and as late.
  from.on('end', () => line.push(() => to.destroyed || to.end()))
}

/** A running proxy: connect the app processes to `url` instead of Redis. */
export class LatencyProxy {
  readonly #sockets = new Set<Socket>()
  /** Connections accepted so far. */
  connections = 0

  private constructor(
    readonly server: Server,
    readonly line: DelayLine,
    /** `redis://127.0.0.1:PORT` of the proxy. */
    readonly url: string,
  ) {}

  /**
   * Listens on a free loopback port and forwards each connection to the Redis at `redisUrl`
   * (a loopback address only), adding `roundTripMs / 2` to each direction.
   */
  static async start(redisUrl: string, roundTripMs: number): Promise<LatencyProxy> {
    const upstream = new URL(redisUrl)
    if (!LOOPBACK.has(upstream.hostname)) throw new Error(`the latency proxy forwards to loopback only, not ${upstream.hostname}`)
    if (!(roundTripMs > 0 && roundTripMs <= 100)) throw new Error(`--redis-latency takes 0 < MS <= 100, not ${roundTripMs}`)
    const host = upstream.hostname.replace(/^\[|\]$/g, '')
    const port = Number(upstream.port || 6379)
    const line = new DelayLine(roundTripMs / 2)
    const server = createServer({ allowHalfOpen: true, noDelay: true })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port: own } = server.address() as AddressInfo
    const auth = upstream.username || upstream.password ? `${upstream.username}:${upstream.password}@` : ''
    const proxy = new LatencyProxy(server, line, `redis://${auth}127.0.0.1:${own}${upstream.pathname}`)
    server.on('connection', (client) => proxy.#accept(client, host, port))
    return proxy
  }

  #accept(client: Socket, host: string, port: number): void {
    this.connections++
    const redis = createConnection({ host, port, allowHalfOpen: true, noDelay: true })
    for (const socket of [client, redis]) {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    }
    // An error on either side ends both at once; a clean close of one side travels as an `end`.
    const fail = () => {
      client.destroy()
      redis.destroy()
    }
    client.on('error', fail)
    redis.on('error', fail)
    client.on('close', (hadError) => hadError && redis.destroy())
    redis.on('close', (hadError) => hadError && client.destroy())
    pipeDelayed(this.line, client, redis)
    pipeDelayed(this.line, redis, client)
  }

  /** The delay each direction gets, in ms: `MS / 2` from the start, until {@link LatencyProxy.oneWayMs} is set. */
  get oneWayMs(): number {
    return this.line.delayMs
  }

  set oneWayMs(ms: number) {
    this.line.delayMs = ms
  }

  /** Stops listening, closes every proxied connection and the timer thread. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const socket of this.#sockets) socket.destroy()
    await closed
    await this.line.close()
  }
}
