import express from 'express'
import { standalone } from '../redis.js'
import { magicLinkBody, type Scenario } from '../scenario.js'

/** The floor to compare with: a bare Express 5 route parsing the same JSON body and doing one `SET … PX`. */
export const baseline: Scenario = {
  name: 'baseline',
  probe: { method: 'POST', path: '/baseline' },
  expectStatus: 201,
  async serve(connection) {
    const redis = standalone(connection)
    const app = express()
    app.post('/baseline', express.json({ limit: '16kb' }), async (req, res) => {
      const body = (req.body ?? {}) as { external_user_id?: string }
      await redis.set(`bench:baseline:${body.external_user_id}`, JSON.stringify(body), { PX: 300_000 })
      res.status(201).json({ ok: true })
    })
    return { app }
  },
  requests() {
    const body = magicLinkBody()
    return [
      {
        method: 'POST',
        path: '/baseline',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: body() }),
      },
    ]
  },
}
