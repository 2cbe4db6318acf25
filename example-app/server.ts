// A minimal host app: mounts express-authcode at /api/id/v1/auth and listens on PORT.
// Codes live in Redis when REDIS_URL is set, in memory otherwise.
import express from 'express'
import { createClient } from 'redis'
import { authcode, MemoryStore } from '../lib/index.js'

const port = Number(process.env.PORT ?? 3000)
const baseUrl = process.env.BASE_URL ?? `http://localhost:${port}`
const redis = process.env.REDIS_URL ? await createClient({ url: process.env.REDIS_URL }).on('error', (err: Error) => console.error(`redis: ${err.message}`)).connect() : undefined

const auth = authcode({
  ...(redis ? { redis } : { store: new MemoryStore() }),
  issuer: `${baseUrl}/api/id/v1/auth`,
  clients: [{ id: 'demo-web', redirectUris: [`${baseUrl}/callback`], scopes: ['openid', 'profile'] }],
  issueTokens: (grant) => ({ access_token: `demo-token-for-${grant.subject}`, token_type: 'Bearer', expires_in: 3600 }),
})

const app = express()
app.use('/api/id/v1/auth', auth)
app.get(auth.metadataPath, (_req, res) => {
  res.json(auth.metadata)
})
app.get('/', (_req, res) => {
  res.type('html').send(`<!doctype html><title>express-authcode example</title>
<h1>express-authcode example</h1>
<p>The router is mounted at <code>/api/id/v1/auth</code>.
See its <a href="/api/id/v1/auth/.well-known/oauth-authorization-server">authorization server metadata</a>.</p>`)
})

const server = app.listen(port, () => {
  console.log(`express-authcode example on ${baseUrl} (codes in ${redis ? 'Redis' : 'memory'})`)
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(() => void redis?.close())
  })
}
