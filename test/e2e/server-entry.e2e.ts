import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { expect } from 'chai'
import { freePort } from '../helpers/redis-server.js'

describe('npm start (example-app/server.ts)', function () {
  it(`runs on the Express major of this run (${process.env.EXPRESS_MAJOR ?? '5'})`, () => {
    const { version } = createRequire(import.meta.url)('express/package.json') as { version: string }
    expect(version.split('.')[0]).to.equal(process.env.EXPRESS_MAJOR ?? '5')
  })

  it('starts on PORT with in-memory stores and the development pages, says so, serves them on its own URL and exits 0 on SIGTERM', async function () {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
    expect(scripts.start, 'npm start turns the development pages on').to.equal('EXAMPLE_DEV_ROUTES=1 tsx example-app/server.ts')
    const port = await freePort()
    const { REDIS_URL: _ignored, EXAMPLE_DEV_ROUTES: _off, ...env } = process.env
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './test/helpers/express-major.ts', 'example-app/server.ts'], {
      env: { ...env, PORT: String(port), EXAMPLE_DEV_ROUTES: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      let output = ''
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString()
          if (output.includes('listening on')) resolve()
        })
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)))
      })
      expect(output).to.include('Storage: in-memory stores')
      expect(output).to.include(`listening on http://127.0.0.1:${port}`)
      expect(output).to.include('Development pages on (EXAMPLE_DEV_ROUTES=1)')

      const home = await fetch(`http://127.0.0.1:${port}/`)
      expect(home.status).to.equal(200)
      expect(home.headers.get('x-frame-options')).to.equal('DENY')
      const otherName = await fetch(`http://localhost:${port}/mailbox`, { redirect: 'manual' })
      expect(otherName.status).to.equal(308)
      expect(otherName.headers.get('location')).to.equal(`http://127.0.0.1:${port}/mailbox`)
      expect((await fetch(`http://127.0.0.1:${port}/mailbox`)).status).to.equal(200)

      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      const [code] = await exited
      expect(code).to.equal(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
