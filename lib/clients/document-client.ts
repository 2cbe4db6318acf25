import type { ClientRecordStore } from '../../types/store.js'
import { isFault, readClientMetadata, type ArrivingClient } from './client-metadata.js'
import { recordIdOf, type ClientRecord } from './records.js'
import { MetadataDocumentError } from './errors.js'
import { fetchMetadataDocument, type DocumentFetchOptions } from './fetch-document.js'

/** `clientIdMetadataDocuments` with its defaults: how documents are fetched, and cached for how long. */
export interface MetadataDocumentSettings extends DocumentFetchOptions {
  /** Bounds of the seconds a document is cached for. */
  cacheSeconds: { min: number; max: number }
}

/** What {@link documentClient} reads and writes. */
export interface DocumentSources {
  records: ClientRecordStore
  settings: MetadataDocumentSettings
  offers: readonly string[]
  digest(label: string, value: string): string
}

/** Fetches of one URL under way in this process, so concurrent first requests fetch it once. */
const underWay = new Map<string, Promise<ArrivingClient>>()

/**
 * The client the metadata document at `url` describes: from the store's cache (shared by every
 * process), else fetched, checked and cached for its `max-age` within `cacheSeconds` (`min`
 * when it gives none, so that requests naming it cannot make the router fetch it each time).
 * The document's `client_id` must be `url` itself.
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/
 * @throws MetadataDocumentError when it cannot be fetched or is not a valid document.
 */
export async function documentClient(url: string, sources: DocumentSources): Promise<ArrivingClient> {
  const recordId = recordIdOf.document(sources.digest('client metadata document', url))
  const cached = await sources.records.get(recordId)
  if (cached !== undefined) return (JSON.parse(cached) as ClientRecord).client
  let fetching = underWay.get(recordId)
  if (fetching === undefined) {
    fetching = fetchAndCache(url, recordId, sources).finally(() => underWay.delete(recordId))
    underWay.set(recordId, fetching)
  }
  return fetching
}

async function fetchAndCache(url: string, recordId: string, { records, settings, offers }: DocumentSources): Promise<ArrivingClient> {
  const { document, maxAgeSeconds } = await fetchMetadataDocument(new URL(url), settings)
  if (document.client_id !== url) throw new MetadataDocumentError('client_id mismatch')
  const client = readClientMetadata(document, offers)
  if (isFault(client)) throw new MetadataDocumentError('invalid metadata', undefined, client.description)
  const { min, max } = settings.cacheSeconds
  const seconds = Math.min(max, Math.max(min, maxAgeSeconds ?? min))
  if (seconds > 0) await records.put(recordId, JSON.stringify({ client } satisfies ClientRecord), seconds * 1000)
  return client
}
