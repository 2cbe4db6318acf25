import { fork, type ChildProcess } from 'node:child_process'
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

/** A bench child process (TypeScript through tsx) that the runner calls over IPC. */
export class RpcChild {
  readonly #child: ChildProcess
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>()
  #next = 0
  /** What the child sent as `ready`. */
  readonly ready: Promise<unknown>

  constructor(file: string, args: string[]) {
    this.#child = fork(fileURLToPath(new URL(file, import.meta.url)), args, { execArgv: ['--import', 'tsx'] })
    this.ready = new Promise((resolve, reject) => {
      this.#child.once('exit', (code) => {
        const err = new Error(`${file} ${args.join(' ')} exited with ${code}`)
        reject(err)
        for (const { reject: fail } of this.#pending.values()) fail(err)
      })
      this.#child.on('message', (reply: Reply) => {
        if ('ready' in reply) return resolve(reply.ready)
        const pending = this.#pending.get(reply.id)
        this.#pending.delete(reply.id)
        if ('error' in reply) pending?.reject(new Error(reply.error))
        else pending?.resolve(reply.result)
      })
    })
  }

  get pid(): number | undefined {
    return this.#child.pid
  }

  /** Calls `op` in the child and resolves with its answer. */
  call<T>(op: string, arg?: unknown): Promise<T> {
    const id = this.#next++
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.#child.send({ id, op, arg } satisfies Call)
    })
  }

  /** Asks the child to exit and waits for it. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    const exited = new Promise((resolve) => this.#child.once('exit', resolve))
    this.#child.send({ id: -1, op: 'exit', arg: undefined } satisfies Call)
    await exited
  }
}
