import { expect } from 'chai'
import { MemoryStore } from '../lib/index.js'
import { baseOptions, buildApp, issue, tokenRequest } from './helpers/app.js'
import { fanOut, statusAndError, tally } from './helpers/fan-out.js'
import { serve } from './helpers/http.js'

// Across app processes sharing one Redis, standalone or cluster, see test/process-suite.ts.
describe('concurrent redemption of one code', () => {
  it('gives exactly one success among 200 presentations to one process on MemoryStore', async () => {
    const store = new MemoryStore()
    const { app, auth } = buildApp(baseOptions({ store }))
    const served = await serve(app)
    try {
      const code = await issue(auth)
      const answers = await fanOut(200, () => served.send(tokenRequest(code)))
      expect(tally(answers, statusAndError)).to.deep.equal({ '200 ok': 1, '400 invalid_grant': 199 })
    } finally {
      await served.close()
      store.close()
    }
  })
})
