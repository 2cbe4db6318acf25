import { setTimeout as sleep } from 'node:timers/promises'
import type { LoadJob, LoadResult } from './load-process.js'
import { commandCalls, commandDelta, type BenchRedis, type CommandCalls } from './redis.js'
import type { Fixture, Scenario } from './scenario.js'
import { RpcChild } from './rpc.js'

/** What one timed run of a scenario measured. */
export interface Measurement {
  rps: number
  p50Ms: number
  p99Ms: number
  /** Requests the target sent to Redis (a command, script call or transaction each) per completed request, setup excluded. */
  roundTrips: number
  /**
   * CPU time (user + system) the target process spent per completed request. Unlike req/s it
   * does not depend on how much of a shared machine the target got, so it compares builds and
   * variants across runs on a busy machine.
   */
  cpuUsPerRequest: number
  /** Commands Redis ran during the run, by name (INFO commandstats: also those inside scripts and transactions). */
  commands: CommandCalls
  completed: number
  /** Responses with another status than the scenario expects. */
  unexpected: Record<string, number>
}

/** How the runner drives targets: the shared load generator, the stats connection and run settings. */
export interface Bench {
  load: RpcChild
  redis: BenchRedis
  connections: number
}

/** Requests per second assumed before a scenario's first run, to size its codes. */
const FIRST_GUESS_RPS = 4000

/** The runner's handle on one target server process. */
export class Target {
  #estimate = FIRST_GUESS_RPS
  #measured = false

  private constructor(
    readonly scenario: Scenario,
    readonly child: RpcChild,
    readonly origin: string,
  ) {}

  /** Forks the target process of `scenario` and waits until it listens. */
  static async start(scenario: Scenario, redisUrl: string): Promise<Target> {
    const child = new RpcChild('./target-process.ts', [scenario.name, redisUrl])
    return new Target(scenario, child, (await child.ready) as string)
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

  async #run(bench: Bench, seconds: number, count: number, profile?: string): Promise<Measurement> {
    const fixture = await this.child.call<Fixture>('prepare', count)
    const before = await commandCalls(bench.redis)
    const sentBefore = await this.child.call<number>('roundTrips')
    const cpuBefore = await this.child.call<number>('cpuMicros')
    const job: LoadJob = { name: this.scenario.name, origin: this.origin, fixture, seconds, connections: bench.connections }
    if (profile) await this.child.call('profileStart')
    const result = await bench.load.call<LoadResult>('run', job)
    await sleep(200) // requests cut off at the end of the run may still be finishing in the target
    if (profile) await this.child.call('profileStop', profile)
    const cpu = (await this.child.call<number>('cpuMicros')) - cpuBefore
    const sent = (await this.child.call<number>('roundTrips')) - sentBefore
    const commands = commandDelta(before, await commandCalls(bench.redis))
    const unexpected = Object.fromEntries(
      Object.entries(result.statuses).filter(([status]) => Number(status) !== this.scenario.expectStatus),
    )
    if (result.errors > 0) unexpected.errors = result.errors
    return {
      rps: result.rps,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      roundTrips: sent / Math.max(1, result.completed),
      cpuUsPerRequest: cpu / Math.max(1, result.completed),
      commands,
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
