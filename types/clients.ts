import type { RateLimitRule } from './options.js'

/**
 * `clientIdMetadataDocuments`: a `client_id` that is an `https:` URL names its own metadata
 * document, which the router fetches, checks and caches.
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/
 */
export interface ClientIdMetadataDocumentOptions {
  /**
   * Hosts (as in the URL: `localhost`, `127.0.0.1`, `[::1]`) whose documents may be fetched
   * although their addresses are not public (loopback, private, link-local, …), e.g. a
   * development machine's own client. Every other host must resolve to public addresses only.
   */
  allowHosts?: string[]
  /** PEM certificates trusted for the fetch besides Node's own roots (a host's own CA). */
  ca?: string | Buffer
  /** Milliseconds a fetch may take in all (DNS, connection, answer). @default 2000 */
  timeoutMs?: number
  /** Bytes a document may have. @default 5120 */
  maxBytes?: number
  /**
   * Bounds of the seconds a document is cached for (its `Cache-Control: max-age`, `min` when it
   * gives none). @default { min: 60, max: 86400 }
   */
  cacheSeconds?: { min?: number; max?: number }
}

/**
 * `dynamicRegistration`: RFC 7591 `POST /register` for public clients.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 */
export interface DynamicRegistrationOptions {
  /**
   * A bearer token `POST /register` requires (RFC 7591 §3's initial access token); without it
   * anyone may register, within `perIp`.
   */
  initialAccessToken?: string
  /** Seconds a registered client is kept. @default 2592000 (30 days) */
  ttl?: number
  /** Registrations per IP, or `false`. @default { limit: 10, windowMs: 3600000 } */
  perIp?: RateLimitRule | false
}

/** Where a client came from: the `clients` option, `POST /register`, or its metadata document. */
export type ClientOrigin = 'configured' | 'registered' | 'metadata_document'
