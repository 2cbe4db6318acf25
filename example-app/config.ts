import { readFileSync } from 'node:fs'

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
  /**
   * Serve the development pages ({@link DEV_ROUTES_ENV}): the dev mailbox, `/metrics` and the
   * ops page, the Capture demo and the support page. Never on a public server.
   * @default false
   */
  devRoutes?: boolean
  /**
   * A certificate for `localhost` (PEM key and certificate): the app then serves the demo MCP
   * client's metadata document over HTTPS on loopback, at `port` (0 picks a free one), and the
   * router trusts that certificate for it. Off when absent.
   */
  clientDocumentTls?: { key: string; cert: string; port?: number }
}

/**
 * The environment variable that turns the development pages on: `1` on, `0` or unset off.
 * `npm start` sets it.
 */
export const DEV_ROUTES_ENV = 'EXAMPLE_DEV_ROUTES'

/** A port number from the environment variable `name`, or `fallback` when it is unset. */
function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const port = Number(env[name] ?? fallback)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${env[name]}"`)
  return port
}

/** The client-document certificate: both of `CLIENT_DOCUMENT_KEY_FILE` and `CLIENT_DOCUMENT_CERT_FILE` (PEM files), or neither. */
function clientDocumentTlsFrom(env: NodeJS.ProcessEnv): ExampleConfig['clientDocumentTls'] {
  const keyFile = env.CLIENT_DOCUMENT_KEY_FILE || undefined
  const certFile = env.CLIENT_DOCUMENT_CERT_FILE || undefined
  if (keyFile === undefined && certFile === undefined) return undefined
  if (keyFile === undefined || certFile === undefined)
    throw new Error('Set both CLIENT_DOCUMENT_KEY_FILE and CLIENT_DOCUMENT_CERT_FILE, or neither')
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), port: portFrom(env, 'CLIENT_DOCUMENT_PORT', 0) }
}

/**
 * Reads `PORT`, `HOST`, `BASE_URL`, `REDIS_URL`, `SMTP_URL`, `SESSION_SECRET`, {@link DEV_ROUTES_ENV}
 * and the client-document certificate (`CLIENT_DOCUMENT_KEY_FILE`, `CLIENT_DOCUMENT_CERT_FILE`,
 * `CLIENT_DOCUMENT_PORT`).
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const port = portFrom(env, 'PORT', 3000)
  const devRoutes = env[DEV_ROUTES_ENV] ?? ''
  // A typo must not leave the pages on, nor "true" leave them off without a word.
  if (!['', '0', '1'].includes(devRoutes)) throw new Error(`${DEV_ROUTES_ENV} must be 1 (on) or 0 (off), got "${devRoutes}"`)
  return {
    port,
    host: env.HOST || '127.0.0.1',
    baseUrl: env.BASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    sessionSecret: env.SESSION_SECRET || undefined,
    devRoutes: devRoutes === '1',
    clientDocumentTls: clientDocumentTlsFrom(env),
  }
}
