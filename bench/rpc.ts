import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

interface Call {
  id: number
  op: string
  arg: unknown
}
type Reply = { id: number; result: unknown } | { id: number; error: string } | { ready: unknown }

/** Answers the parent's calls in a child process, then tells it `ready` (with e.g. the listening origin). */
export function serveRpc(handlers: Record<string, (arg: never) => unknown>, ready: unknown = true): void {
  const send = (reply: Reply) => process.send?.(reply)
  process.on('message', async ({ id, op, arg }: Call) => {
    try {
      const handler = handlers[op]
      if (!handler) throw new Error(`unknown call "${op}"`)
      send({ id, result: await handler(arg as never) })
    } catch (err) {
      send({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) })
    }
  })
  send({ ready })
}

/** The IPC end of a process the parent talks to: a forked child, or a `node:cluster` worker. */
export interface RpcChannel {
  readonly exitCode?: number | null
  send(message: Call): unknown
  on(event: 'message', listener: (reply: Reply) => void): unknown
  once(event: 'exit', listener: (code: number | null) => void): unknown
  isDead?(): boolean
}

/** A bench process (TypeScript through tsx) that its parent calls over IPC. */
export class RpcChild {
  readonly #channel: RpcChannel
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>()
  #exited = false
  #next = 0
  /** What the child sent as `ready`. */
  readonly ready: Promise<unknown>

  /** Forks `file` (relative to this directory) with `args`. */
  constructor(file: string, args: string[])
  /** Talks to a process already started, e.g. a `node:cluster` worker; `label` names it in errors. */
  constructor(channel: RpcChannel, label: string, pid: number | undefined)
  constructor(fileOrChannel: string | RpcChannel, argsOrLabel: string[] | string, pid?: number) {
    if (typeof fileOrChannel === 'string') {
      const child = fork(fileURLToPath(new URL(fileOrChannel, import.meta.url)), argsOrLabel as string[], { execArgv: ['--import', 'tsx'] })
      this.#channel = child
      this.pid = child.pid
    } else {
      this.#channel = fileOrChannel
      this.pid = pid
    }
    const label = typeof fileOrChannel === 'string' ? `${fileOrChannel} ${(argsOrLabel as string[]).join(' ')}` : (argsOrLabel as string)
    this.ready = new Promise((resolve, reject) => {
      this.#channel.once('exit', (code) => {
        this.#exited = true
        const err = new Error(`${label} exited with ${code}`)
        reject(err)
        for (const { reject: fail } of this.#pending.values()) fail(err)
      })
      this.#channel.on('message', (reply: Reply) => {
        if ('ready' in reply) return resolve(reply.ready)
        const pending = this.#pending.get(reply.id)
        this.#pending.delete(reply.id)
        if ('error' in reply) pending?.reject(new Error(reply.error))
        else pending?.resolve(reply.result)
      })
    })
  }

  readonly pid: number | undefined

  /** Calls `op` in the child and resolves with its answer. */
  call<T>(op: string, arg?: unknown): Promise<T> {
    const id = this.#next++
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.#channel.send({ id, op, arg } satisfies Call)
    })
  }

  /** Asks the child to exit and waits for it. */
  async stop(): Promise<void> {
    if (this.#exited || (this.#channel.exitCode ?? null) !== null || this.#channel.isDead?.()) return
    const exited = new Promise((resolve) => this.#channel.once('exit', resolve))
    this.#channel.send({ id: -1, op: 'exit', arg: undefined } satisfies Call)
    await exited
  }
}
