// The example app's entry point: `npm start`. Reads its settings from the environment
// (PORT, HOST, BASE_URL, REDIS_URL, SMTP_URL, SESSION_SECRET), listens, and stops cleanly on SIGTERM/SIGINT.
import { configFromEnv } from './config.js'
import { startExampleApp } from './start.js'

const running = await startExampleApp(configFromEnv())
console.log(`Storage: ${running.storesDescription}`)
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
