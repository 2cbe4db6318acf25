import { randomBytes } from 'node:crypto'
import type { ClientOrigin } from '../../types/clients.js'
import type { ClientOptions } from '../../types/options.js'
import type { ClientRecordStore } from '../../types/store.js'
import type { ArrivingClient } from './client-metadata.js'
import { recordIdOf, type ClientRecord } from './records.js'
import { isClientIdUrl } from './client-id-url.js'
import { documentClient, type MetadataDocumentSettings } from './document-client.js'

/** A client the router knows, wherever it came from, with its consent rule decided. */
export type KnownClient = ClientOptions & Required<Pick<ClientOptions, 'consent'>> & { origin: ClientOrigin }

/** A client `POST /register` keeps: `reg-` and 43 random base64url characters. */
export const REGISTERED_ID = /^reg-[A-Za-z0-9_-]{43}$/

/** What {@link ClientDirectory} is built from. */
export interface ClientSources {
  /** The `clients` option, consent decided. */
  configured: ReadonlyMap<string, ClientOptions & Required<Pick<ClientOptions, 'consent'>>>
  /** Where run-time clients are kept, when the store keeps them. */
  records: ClientRecordStore | undefined
  /** Clients by metadata document, or `false`. */
  documents: MetadataDocumentSettings | false
  /** Whether `POST /register` is mounted. */
  registration: boolean
  /** The scopes the router offers a client that arrives at run time. */
  offers: readonly string[]
  /** A keyed digest, for store keys named after a URL. */
  digest(label: string, value: string): string
}

/**
 * Who a `client_id` names: a configured client; a client registered through `POST /register`,
 * read from the store; or, for an `https:` URL, the client its metadata document describes,
 * fetched (guarded) and cached in the store. Clients that arrive at run time are public and
 * asked for consent on every request.
 */
export class ClientDirectory {
  readonly #configured: ClientSources['configured']

  constructor(private readonly sources: ClientSources) {
    this.#configured = new Map([...sources.configured].map(([id, client]) => [id, { ...client, origin: 'configured' as const }]))
  }

  /** The scopes the router offers a client that arrives at run time. */
  get offers(): readonly string[] {
    return this.sources.offers
  }

  /**
   * Keeps `client` for `ttlSeconds` under a new random `client_id` (`reg-` and 256 random bits),
   * which it resolves.
   * @throws StoreUnavailableError when the store does not answer.
   */
  async register(client: ArrivingClient, ttlSeconds: number): Promise<string> {
    const records = this.sources.records
    if (records === undefined) throw new TypeError('the code store keeps no clients (CodeStore.clientStore)')
    const id = `reg-${randomBytes(32).toString('base64url')}`
    // 256 random bits do not collide; add() still never overwrites a client.
    if (!(await records.add(recordIdOf.registered(id), JSON.stringify({ client } satisfies ClientRecord), ttlSeconds * 1000))) {
      throw new Error('a registered client id was drawn twice')
    }
    return id
  }

  /** The configured client `id` names, without waiting for the store: for endpoints that serve configured clients only. */
  configured(id: string): KnownClient | undefined {
    return this.#configured.get(id) as KnownClient | undefined
  }

  /**
   * The client `id` names, or `undefined` for none.
   * @throws MetadataDocumentError when `id` is a metadata document's URL that cannot be fetched or is invalid.
   * @throws StoreUnavailableError when the store does not answer.
   */
  async find(id: string): Promise<KnownClient | undefined> {
    const configured = this.configured(id)
    if (configured) return configured
    const { records, documents, registration } = this.sources
    if (records === undefined) return undefined
    if (documents && isClientIdUrl(id)) {
      return this.#arrived(
        id,
        'metadata_document',
        await documentClient(id, { records, settings: documents, digest: this.sources.digest, offers: this.sources.offers }),
      )
    }
    if (!registration || !REGISTERED_ID.test(id)) return undefined
    const kept = await records.get(recordIdOf.registered(id))
    return kept === undefined ? undefined : this.#arrived(id, 'registered', (JSON.parse(kept) as ClientRecord).client)
  }

  /** A run-time client as the endpoints see it: public, asked for consent on every request, with the scopes it asked for or, naming none, those offered. */
  #arrived(id: string, origin: ClientOrigin, client: ArrivingClient): KnownClient {
    return { ...client, id, origin, consent: 'required', scopes: client.scopes ?? [...this.sources.offers] }
  }
}
