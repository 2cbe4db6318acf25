import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { CLIENT_DOCUMENT_PATH, demoMcpClientDocument } from './client-document.js'

/** A PEM private key and certificate for `localhost`. */
export interface TlsCertificate {
  key: string
  cert: string
}

/** The running client-document listener. */
export interface ClientDocumentServer {
  /** The demo MCP client's `client_id`: its document's URL, e.g. `https://localhost:3443/demo-mcp-client.json`. */
  documentUrl: string
  /** The certificate it presents, for the router to trust (`clientIdMetadataDocuments.ca`). */
  cert: string
  /** Stops it; connections still open are closed. */
  stop(): Promise<void>
}

/** How long the router may cache the document: a restarted listener may be on another port. */
const MAX_AGE_SECONDS = 60

/**
 * Starts an HTTPS listener on `localhost` that serves the demo MCP client's metadata document
 * and nothing else: a Client ID Metadata Document is fetched over TLS, so a client on this
 * machine needs a certificate the router trusts. It listens where `localhost` resolves first,
 * which is where the router, resolving the same name, connects.
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/
 */
export async function startClientDocumentServer(tls: TlsCertificate, port = 0): Promise<ClientDocumentServer> {
  let documentUrl = ''
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end()
      return
    }
    if (new URL(req.url ?? '/', documentUrl).pathname !== CLIENT_DOCUMENT_PATH) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found')
      return
    }
    const body = JSON.stringify(demoMcpClientDocument(documentUrl), null, 2)
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': `max-age=${MAX_AGE_SECONDS}` })
    res.end(req.method === 'HEAD' ? undefined : body)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, 'localhost', () => resolve())
  })
  documentUrl = `https://localhost:${(server.address() as AddressInfo).port}${CLIENT_DOCUMENT_PATH}`
  return {
    documentUrl,
    cert: tls.cert,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
