import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createExampleApp } from './app.js'
import type { ExampleConfig } from './config.js'
import { startClientDocumentServer, type ClientDocumentServer } from './mcp/client-document-server.js'

/** A listening example app. */
export interface RunningExampleApp {
  /** Where it answers, e.g. `http://127.0.0.1:3000`. */
  url: string
  storesDescription: string
  server: Server
  /** The demo MCP client's `client_id`, the URL of its metadata document, when `clientDocumentTls` is set. */
  clientDocumentUrl?: string
  /** Stops accepting connections, lets requests in flight finish (up to `graceMs`), then closes Redis and the client-document listener. */
  stop(graceMs?: number): Promise<void>
}

/**
 * Listens first, then builds the app with the address it got, so `port: 0` (a free port,
 * as the tests use) still yields a correct issuer and redirect URIs.
 */
export async function startExampleApp(config: ExampleConfig): Promise<RunningExampleApp> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  // A loopback IP literal, not `localhost`: OAuth redirect URIs on http: must use one (RFC 8252 §8.3).
  const host = !config.host || config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  const url = (config.baseUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '')
  let documents: ClientDocumentServer | undefined
  let example
  try {
    if (config.clientDocumentTls) documents = await startClientDocumentServer(config.clientDocumentTls, config.clientDocumentTls.port)
    example = await createExampleApp({
      baseUrl: url,
      redisUrl: config.redisUrl,
      smtpUrl: config.smtpUrl,
      sessionSecret: config.sessionSecret,
      canonicalHost: !config.baseUrl,
      devRoutes: config.devRoutes ?? false,
      clientDocument: documents && { url: documents.documentUrl, cert: documents.cert },
    })
  } catch (err) {
    server.close()
    await documents?.stop()
    throw err
  }
  server.on('request', example.app)

  const { close } = example
  return {
    url,
    storesDescription: example.storesDescription,
    server,
    clientDocumentUrl: documents?.documentUrl,
    async stop(graceMs = 5000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      const timer = setTimeout(() => server.closeAllConnections(), graceMs)
      await closed
      clearTimeout(timer)
      await documents?.stop()
      await close()
    },
  }
}
