import type { IncomingHttpHeaders, RequestListener } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { LocalhostCertificate } from './tls-cert.js'

/** An HTTPS server on 127.0.0.1, and on ::1 at the same port, counting the TCP connections it accepts. */
export interface CountingServer {
  port: number
  readonly connections: number
  /** The requests it answered, in order. */
  requests: Array<{ path: string; headers: IncomingHttpHeaders }>
  close(): Promise<void>
}

/** Starts a {@link CountingServer} presenting `cert`, answering with `handler`. */
export async function countingServer(cert: LocalhostCertificate, handler: RequestListener): Promise<CountingServer> {
  const servers: Server[] = []
  const requests: CountingServer['requests'] = []
  let connections = 0
  const listen = (host: string, port: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
        requests.push({ path: req.url ?? '', headers: req.headers })
        handler(req, res)
      })
      server.on('connection', () => connections++)
      server.once('error', reject)
      server.listen(port, host, () => resolve(server))
    })
  const first = await listen('127.0.0.1', 0)
  servers.push(first)
  const port = (first.address() as AddressInfo).port
  servers.push(await listen('::1', port))
  return {
    port,
    requests,
    get connections() {
      return connections
    },
    async close() {
      for (const server of servers) {
        server.closeAllConnections()
        await new Promise((resolve) => server.close(resolve))
      }
    },
  }
}
