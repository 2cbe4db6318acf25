// The example app's entry point: `npm start`, which also sets EXAMPLE_DEV_ROUTES=1. Reads its settings
// from the environment (PORT, HOST, BASE_URL, REDIS_URL, SMTP_URL, SESSION_SECRET, EXAMPLE_DEV_ROUTES,
// CLIENT_DOCUMENT_KEY_FILE, CLIENT_DOCUMENT_CERT_FILE, CLIENT_DOCUMENT_PORT), listens, and stops
// cleanly on SIGTERM/SIGINT.
import { configFromEnv, DEV_ROUTES_ENV } from './config.js'
import { startExampleApp } from './start.js'

const config = configFromEnv()
const running = await startExampleApp(config)
console.log(`Storage: ${running.storesDescription}`)
console.log(
  config.devRoutes
    ? `Development pages on (${DEV_ROUTES_ENV}=1): /mailbox, /ops, /metrics, /capture-demo and /support. Never on a public server.`
    : `Development pages off (set ${DEV_ROUTES_ENV}=1 for /mailbox, /ops, /metrics, /capture-demo and /support)`,
)
if (!config.devRoutes && !config.smtpUrl) console.warn('No SMTP_URL and no dev mailbox: sign-in e-mails go nowhere')
console.log(
  running.clientDocumentUrl
    ? `Demo MCP client's metadata document (its client_id): ${running.clientDocumentUrl}`
    : 'No client-document certificate: MCP clients register at POST /register (see /mcp-demo to serve a client document too)',
)
console.log(`MCP server: ${running.url}/mcp`)
console.log(`express-authcode example app listening on ${running.url}`)

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    console.log(`${signal}: finishing requests in flight, then exiting`)
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err)
        process.exit(1)
      },
    )
  })
}
