import { setTimeout as sleep } from 'node:timers/promises'
import type { LoadJob, LoadResult } from './load-process.js'
import { commandCalls, commandDelta, redisCpuMicros, type BenchRedis, type CommandCalls, type RedisTarget } from './redis.js'
import type { Fixture, Scenario } from './scenario.js'
import { RpcChild } from './rpc.js'
import type { TargetOptions } from './target-process.js'

/** What one timed run of a scenario measured. */
export interface Measurement {
  rps: number
  p50Ms: number
  p99Ms: number
  /** Round trips to Redis each request waited for, per completed request, setup excluded (see `countRoundTrips`). */
  roundTrips: number
  /** Requests the target sent to Redis (a command, script call or transaction each) per completed request, setup excluded. */
  calls: number
  /**
   * CPU time (user + system) the target process spent per completed request. Unlike req/s it
   * does not depend on how much of a shared machine the target got, so it compares builds and
   * variants across runs on a busy machine.
   */
  cpuUsPerRequest: number
  /** Commands Redis ran during the run, by name (INFO commandstats: also those inside scripts and transactions). */
  commands: CommandCalls
  /**
   * CPU time of each Redis server (INFO cpu) during the run per completed request, in
   * microseconds, one entry per server (the masters of a cluster).
   */
  redisCpuUsPerRequest: number[]
  completed: number
  /** Responses with another status than the scenario expects. */
  unexpected: Record<string, number>
}

/** How the runner drives targets: the shared load generator, the stats connections and run settings. */
export interface Bench {
  load: RpcChild
  /** A connection to each Redis server the targets use (each master of a cluster), for INFO. */
  redis: BenchRedis[]
  connections: number
  /** p50 and p99 from each response's own time rather than autocannon's whole milliseconds (the latency run). */
  exactLatency?: boolean
}

/** Requests per second assumed before a scenario's first run, to size its codes. */
const FIRST_GUESS_RPS = 4000

/** The runner's handle on one target server process. */
export class Target {
  #estimate: number
  #measured = false

  private constructor(
    readonly scenario: Scenario,
    readonly child: RpcChild,
    readonly origin: string,
    /** How the report names this target: the scenario's name, or that and its setup (`--scale`). */
    readonly label: string,
    firstGuessRps: number,
  ) {
    this.#estimate = firstGuessRps
  }

  /**
   * Forks the target process of `scenario` on `redis` and waits until it listens. `firstGuessRps`
   * sizes the codes of its first run (the latency run, on one connection, needs far fewer).
   */
  static async start(
    scenario: Scenario,
    redis: RedisTarget,
    options: TargetOptions = {},
    label: string = scenario.name,
    firstGuessRps = FIRST_GUESS_RPS,
  ): Promise<Target> {
    const child = new RpcChild('./target-process.ts', [scenario.name, JSON.stringify(redis), JSON.stringify(options)])
    return new Target(scenario, child, (await child.ready) as string, label, firstGuessRps)
  }

  /** Whether the endpoint is mounted: anything but a 404 to a bare request. */
  async isMounted(): Promise<boolean> {
    const { method, path } = this.scenario.probe
    const response = await fetch(`${this.origin}${path}`, { method })
    await response.arrayBuffer()
    return response.status !== 404
  }

  /**
   * Prepares and runs the scenario for `seconds`, counting the Redis commands of the run alone;
   * with `profile`, writes a CPU profile of the target during the run to that file. A run that
   * used up its prepared codes (its last requests then fail) is run again with more.
   */
  async measure(bench: Bench, seconds: number, profile?: string): Promise<Measurement> {
    for (let attempt = 1; ; attempt++) {
      const count = this.scenario.consumesCodes ? Math.ceil(this.#estimate * seconds * 2) + 2000 : 0
      const m = await this.#run(bench, seconds, count, profile)
      this.#estimate = Math.max(this.#measured ? this.#estimate : 0, m.rps)
      this.#measured = true
      if (!this.scenario.consumesCodes || m.completed < count || attempt === 3) return m
      this.#estimate = (2 * m.completed) / seconds
    }
  }

  /**
   * Sends exactly `amount` requests of the scenario (its prepared fixture first) and returns
   * what the load generator saw; for `--memory`, which measures what they leave in Redis.
   */
  async send(bench: Bench, amount: number, prepared?: Fixture): Promise<LoadResult> {
    const fixture = prepared ?? (await this.prepare(amount))
    const job: LoadJob = { name: this.scenario.name, origin: this.origin, fixture, seconds: 0, connections: bench.connections, amount }
    return bench.load.call<LoadResult>('run', job)
  }

  /** The scenario's fixture for `amount` requests, made in the target process. */
  prepare(amount: number): Promise<Fixture> {
    return this.child.call<Fixture>('prepare', this.scenario.consumesCodes ? amount : 0)
  }

  async #run(bench: Bench, seconds: number, count: number, profile?: string): Promise<Measurement> {
    const fixture = await this.child.call<Fixture>('prepare', count)
    const before = await commandCalls(bench.redis)
    const redisCpuBefore = await Promise.all(bench.redis.map(redisCpuMicros))
    const sentBefore = await this.child.call<number>('roundTrips')
    const callsBefore = await this.child.call<number>('calls')
    const cpuBefore = await this.child.call<number>('cpuMicros')
    const job: LoadJob = {
      name: this.scenario.name,
      origin: this.origin,
      fixture,
      seconds,
      connections: bench.connections,
      ...(bench.exactLatency ? { exactLatency: true } : {}),
    }
    if (profile) await this.child.call('profileStart')
    const result = await bench.load.call<LoadResult>('run', job)
    await sleep(200) // requests cut off at the end of the run may still be finishing in the target
    if (profile) await this.child.call('profileStop', profile)
    const cpu = (await this.child.call<number>('cpuMicros')) - cpuBefore
    const sent = (await this.child.call<number>('roundTrips')) - sentBefore
    const calls = (await this.child.call<number>('calls')) - callsBefore
    const commands = commandDelta(before, await commandCalls(bench.redis))
    const redisCpu = (await Promise.all(bench.redis.map(redisCpuMicros))).map((after, i) => after - (redisCpuBefore[i] as number))
    const unexpected = Object.fromEntries(
      Object.entries(result.statuses).filter(([status]) => Number(status) !== this.scenario.expectStatus),
    )
    if (result.errors > 0) unexpected.errors = result.errors
    return {
      rps: result.rps,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      roundTrips: sent / Math.max(1, result.completed),
      calls: calls / Math.max(1, result.completed),
      cpuUsPerRequest: cpu / Math.max(1, result.completed),
      commands,
      redisCpuUsPerRequest: redisCpu.map((us) => us / Math.max(1, result.completed)),
      completed: result.completed,
      unexpected,
    }
  }

  /** The target's resident set size in bytes. */
  rss(): Promise<number> {
    return this.child.call<number>('rss')
  }

  stop(): Promise<void> {
    return this.child.stop()
  }
}
