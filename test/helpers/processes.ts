import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** A child process running a test fixture; its first stdout line is a JSON hello. */
export interface Worker<T> {
  hello: T
  child: ChildProcess
  stop(): Promise<void>
}

/** Starts `test/fixtures/<name>.ts` under tsx in a new OS process and waits for its hello line. */
export async function startWorker<T>(name: string, env: Record<string, string>): Promise<Worker<T>> {
  const script = fileURLToPath(new URL(`../fixtures/${name}.ts`, import.meta.url))
  const child = spawn(process.execPath, [...process.execArgv, script], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const hello = await new Promise<T>((resolve, reject) => {
    let buffered = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const line = buffered.split('\n')[0]
      if (buffered.includes('\n') && line) resolve(JSON.parse(line) as T)
    })
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before saying hello`)))
  })
  return {
    hello,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.stdin?.end()
        setTimeout(() => child.kill('SIGKILL'), 3000).unref()
      }),
  }
}
