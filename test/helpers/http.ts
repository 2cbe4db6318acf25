import { Agent, request, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Express } from 'express'
import { PROBLEM_TYPE_BASE } from '../../lib/index.js'

/** One HTTP request, as raw as node:http lets a client send it. */
export interface HttpRequest {
  method: 'GET' | 'POST'
  /** Path and query, already encoded. */
  path: string
  headers?: Record<string, string>
  body?: string | Buffer
}

/** What came back. */
export interface HttpAnswer {
  status: number
  headers: IncomingHttpHeaders
  text: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined
  /** Milliseconds from sending to the end of the body. */
  ms: number
}

/** A keep-alive client of one server. */
export interface HttpClient {
  baseUrl: string
  /** Sends one request; rejects if no complete answer arrives within `deadlineMs` (10 s by default). */
  send(req: HttpRequest, deadlineMs?: number): Promise<HttpAnswer>
  close(): Promise<void>
}

/** A client sending raw requests over keep-alive sockets, as many at once as it is given, to a loopback port. */
export function connectTo(port: number): HttpClient {
  const agent = new Agent({ keepAlive: true })
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    send: (req, deadlineMs = 10_000) => sendTo(port, agent, req, deadlineMs),
    close: async () => agent.destroy(),
  }
}

/** Listens on a free loopback port and sends raw requests to it over keep-alive sockets; `close()` stops both. */
export async function serve(app: Express): Promise<HttpClient> {
  const server: Server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const client = connectTo((server.address() as AddressInfo).port)
  return {
    ...client,
    close: async () => {
      await client.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** Sends one request; rejects if no complete answer arrives within `deadlineMs` (a hung request). */
function sendTo(port: number, agent: Agent, req: HttpRequest, deadlineMs: number): Promise<HttpAnswer> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, agent, method: req.method, path: req.path, headers: req.headers, signal: AbortSignal.timeout(deadlineMs) },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text), ms: Date.now() - started })
        })
      },
    )
    outgoing.on('error', (err) =>
      reject(err.name === 'AbortError' ? new Error(`${req.method} ${req.path} got no answer within ${deadlineMs} ms`) : err),
    )
    outgoing.end(req.body)
  })
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** The headers and body of a request. */
export type RequestPart = Pick<HttpRequest, 'headers' | 'body'>

/**
 * An `application/x-www-form-urlencoded` body and its content type. For supertest, send its
 * `body` after `.type('form')`.
 */
export function form(params: Record<string, string>): RequestPart {
  return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formText(params) }
}

/** `params` as `application/x-www-form-urlencoded` text: a form body, or a query string. */
export function formText(params: Record<string, string>): string {
  return new URLSearchParams(params).toString()
}

/** `part` (a request or its headers and body) with an `Authorization` header added. */
export function withAuth<T extends RequestPart>(part: T, authorization: string): T {
  return { ...part, headers: { ...part.headers, authorization } }
}

/**
 * `Authorization: Basic` for an OAuth client at `/token`: id and secret each form-encoded
 * before they are joined, as OAuth requires of client credentials.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function oauthBasic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`
}

/** `Authorization: Basic` for a Capture client: id and secret as they are, as Capture clients send them (RFC 7617). */
export function captureBasic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
}

/** The slug of a problem+json body: what its `type` adds to the problem type base; `undefined` for any other body. */
export function slugOf(body: unknown): string | undefined {
  const type = (body as { type?: unknown } | null | undefined)?.type
  return typeof type === 'string' && type.startsWith(PROBLEM_TYPE_BASE) ? type.slice(PROBLEM_TYPE_BASE.length) : undefined
}
