import { lookup } from 'node:dns/promises'
import type { IncomingMessage } from 'node:http'
import { request } from 'node:https'
import { isIP, type Socket } from 'node:net'
import { connect as connectTls, rootCertificates } from 'node:tls'
import { isPublicAddress } from './addresses.js'
import { MetadataDocumentError, type MetadataDocumentFailure } from './errors.js'

/** How a metadata document is fetched. */
export interface DocumentFetchOptions {
  /**
   * Hosts fetched from whatever they resolve to, loopback and private addresses included: exact
   * URL hostnames in lower case (`client.test`, `127.0.0.1`, `[::1]`). Any other host must be
   * and resolve only to public addresses.
   */
  allowHosts: readonly string[]
  /** PEM certificates (one or more) trusted for the fetch on top of Node's default roots. */
  ca?: string | Buffer
  /** Milliseconds the whole fetch may take: DNS, connection, TLS, headers and body. */
  timeoutMs: number
  /** Bytes of body read at most; a longer body (or `Content-Length`) fails the fetch. */
  maxBytes: number
}

/** A fetched metadata document. */
export interface FetchedDocument {
  /** The body: a JSON object, not yet checked against the client metadata rules. */
  document: Record<string, unknown>
  /** Seconds the response may be cached, from `Cache-Control` (0 for `no-store`, `no-cache`); none without the header. */
  maxAgeSeconds?: number
}

/** One address a host name resolves to. */
export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

/** Where the document's TLS connection goes: `host` is always the IP address that was checked. */
export interface ConnectOptions {
  host: string
  port: number
  /** The URL's host name, for SNI and the certificate check; absent for an IP literal. */
  servername?: string
  /** The trusted roots when {@link DocumentFetchOptions.ca} adds to Node's. */
  ca?: Array<string | Buffer>
}

/** The network a fetch uses; for tests only (defaults: `dns.promises.lookup` with `all`, and `tls.connect`). */
export interface FetchIo {
  resolve?(hostname: string): Promise<ResolvedAddress[]>
  connect?(options: ConnectOptions): Socket
}

/**
 * Fetches the Client ID Metadata Document `url` names: a GET that follows no redirect, needs a
 * 200 and a JSON object, reads at most `maxBytes` and takes at most `timeoutMs` in all. Unless
 * its host is in `allowHosts`, the host (an IP literal as it is, a name resolved once) must be
 * public, every address it resolves to too, and the connection goes to exactly the address that
 * was checked, with the host name for SNI, the certificate check and `Host`: a second DNS answer
 * never redirects it (DNS rebinding).
 * @throws MetadataDocumentError with a {@link MetadataDocumentFailure} reason, whatever fails.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-01#section-4
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-01#section-6.5
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-01#section-6.6
 */
export async function fetchMetadataDocument(url: URL, options: DocumentFetchOptions, io: FetchIo = {}): Promise<FetchedDocument> {
  if (url.protocol !== 'https:') throw new MetadataDocumentError('not https')
  const abort = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new MetadataDocumentError('timeout'))
      abort.abort()
    }, options.timeoutMs)
  })
  try {
    const address = await Promise.race([checkedAddress(url, options.allowHosts, io), deadline])
    return await Promise.race([get(url, address, options, io, abort.signal), deadline])
  } catch (err) {
    throw err instanceof MetadataDocumentError ? err : new MetadataDocumentError('connection failed', err)
  } finally {
    clearTimeout(timer)
  }
}

/** The one address the fetch connects to, once every address of the host is checked. */
async function checkedAddress(url: URL, allowHosts: readonly string[], io: FetchIo): Promise<string> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const addresses = isIP(host) ? [host] : await resolveAll(host, io)
  const [first] = addresses
  if (first === undefined) throw new MetadataDocumentError('dns failed')
  if (!allowHosts.includes(url.hostname) && !addresses.every(isPublicAddress)) throw new MetadataDocumentError('address not public')
  return first
}

async function resolveAll(hostname: string, io: FetchIo): Promise<string[]> {
  try {
    const answers = io.resolve ? await io.resolve(hostname) : await lookup(hostname, { all: true, verbatim: true })
    return answers.map((answer) => answer.address)
  } catch {
    throw new MetadataDocumentError('dns failed')
  }
}

/** GET over a TLS connection to `address`, pinned: the request never resolves the name again. */
function get(url: URL, address: string, options: DocumentFetchOptions, io: FetchIo, signal: AbortSignal): Promise<FetchedDocument> {
  const connect = io.connect ?? connectTls
  const target: ConnectOptions = {
    host: address,
    port: url.port === '' ? 443 : Number(url.port),
    servername: isIP(url.hostname) || url.hostname.startsWith('[') ? undefined : url.hostname,
    ca: options.ca === undefined ? undefined : [...rootCertificates, options.ca],
  }
  return new Promise((resolve, reject) => {
    const req = request({
      method: 'GET',
      path: `${url.pathname}${url.search}`,
      headers: { host: url.host, accept: 'application/json' },
      signal,
      createConnection: () => connect(target),
    })
    const fail = (reason: MetadataDocumentFailure, cause?: unknown) => {
      reject(new MetadataDocumentError(reason, cause))
      req.destroy()
    }
    req.on('error', (err) => fail(signal.aborted ? 'timeout' : transportFailure(err), err))
    req.once('response', (res) => read(res, options.maxBytes, fail, resolve))
    req.end()
  })
}

/** Reads a response into a document, or fails it: a status other than 200, too many bytes, not a JSON object. */
function read(
  res: IncomingMessage,
  maxBytes: number,
  fail: (reason: MetadataDocumentFailure) => void,
  resolve: (fetched: FetchedDocument) => void,
): void {
  const status = res.statusCode ?? 0
  if (status >= 300 && status < 400) return fail('redirect')
  if (status !== 200) return fail(`status ${status}`)
  if (Number(res.headers['content-length']) > maxBytes) return fail('too large')
  const chunks: Buffer[] = []
  let size = 0
  res.on('data', (chunk: Buffer) => {
    size += chunk.length
    if (size > maxBytes) fail('too large')
    else chunks.push(chunk)
  })
  res.once('end', () => {
    const document = jsonObject(Buffer.concat(chunks))
    if (document === undefined) return fail('not json')
    const maxAgeSeconds = maxAgeOf(res.headers['cache-control'])
    resolve(maxAgeSeconds === undefined ? { document } : { document, maxAgeSeconds })
  })
}

/** The body as a JSON object (strict UTF-8), or `undefined`; the parser's error is dropped, as it quotes the body. */
function jsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** A TLS verification error (its code names the certificate) or any other failure of the connection. */
function transportFailure(err: Error): MetadataDocumentFailure {
  const code = (err as NodeJS.ErrnoException).code ?? ''
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code) ? 'untrusted certificate' : 'connection failed'
}

/**
 * Seconds a response may be cached by its `Cache-Control`: the first `max-age`, 0 for
 * `no-store` or `no-cache` (or a `max-age` that is not a number), `undefined` without either.
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.1
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-01#section-4.4
 */
export function maxAgeOf(cacheControl: string | undefined): number | undefined {
  let maxAge: number | undefined
  for (const directive of cacheControl?.split(',') ?? []) {
    const [name = '', value] = directive.trim().toLowerCase().split('=', 2)
    if (name === 'no-store' || name === 'no-cache') return 0
    if (name === 'max-age' && maxAge === undefined) {
      const seconds = value?.replace(/^"(.*)"$/, '$1') ?? ''
      maxAge = /^\d+$/.test(seconds) ? Number(seconds) : 0
    }
  }
  return maxAge
}
