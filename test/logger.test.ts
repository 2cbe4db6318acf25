import { expect } from 'chai'
import { pino } from 'pino'
import { Writable } from 'node:stream'
import request from 'supertest'
import { AuthcodeOptionsError, MemoryStore } from '../lib/index.js'
import { baseOptions, buildApp, issue, MOUNT, tokenForm } from './helpers/app.js'

/** A pino logger writing JSON lines into `lines`. */
function memoryPino(lines: Array<Record<string, unknown>>) {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return pino(sink)
}

describe('logger option', () => {
  const store = new MemoryStore()
  after(() => store.close())

  it('reports a failed request to the host logger as structured fields with a stable message, and nothing to the console', async () => {
    const lines: Array<Record<string, unknown>> = []
    const { app, auth } = buildApp(
      baseOptions({
        store,
        logger: memoryPino(lines),
        issueTokens: () => {
          throw new Error('the token service is down')
        },
      }),
    )
    const printed: unknown[] = []
    const consoleError = console.error
    console.error = (...args: unknown[]) => void printed.push(args)
    try {
      const code = await issue(auth)
      await request(app).post(`${MOUNT}/token`).set('X-Request-Id', 'req-7').type('form').send(tokenForm(code)).expect(500)
    } finally {
      console.error = consoleError
    }
    expect(printed).to.deep.equal([])
    const failures = lines.filter((line) => line.level === 50)
    expect(failures).to.have.length(1)
    expect(failures[0]).to.include({
      level: 50,
      msg: 'express-authcode: request failed',
      endpoint: `POST ${MOUNT}/token`,
      requestId: 'req-7',
    })
    expect(failures[0]).to.include({ error: 'internal-error' })
    expect((failures[0]?.err as { name: string }).name).to.equal('Error')
    expect(JSON.stringify(lines)).not.to.include('the token service is down')
  })

  it('refuses a logger without error and warn', () => {
    expect(() => buildApp(baseOptions({ store, logger: { info() {} } as never }))).to.throw(
      AuthcodeOptionsError,
      /"logger" must have error/,
    )
  })
})
