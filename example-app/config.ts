/** What the example app is configured with; {@link configFromEnv} reads it from the environment. */
export interface ExampleConfig {
  /** Port to listen on; 0 picks a free one. @default 3000 */
  port: number
  /** Interface to listen on: this machine only unless told otherwise. @default '127.0.0.1' */
  host: string
  /** Public URL of the app; derived from the listening address when not given. */
  baseUrl?: string
  /** Redis for sessions and codes; in-memory stores when absent. */
  redisUrl?: string
  /** SMTP server for outgoing mail; the dev mailbox when absent. */
  smtpUrl?: string
  /** Secret that signs session cookies; a random one (sessions end at restart) when absent. */
  sessionSecret?: string
}

/** Reads `PORT`, `HOST`, `BASE_URL`, `REDIS_URL`, `SMTP_URL` and `SESSION_SECRET`. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`)
  return {
    port,
    host: env.HOST || '127.0.0.1',
    baseUrl: env.BASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    sessionSecret: env.SESSION_SECRET || undefined,
  }
}
