import type { ArrivingClient } from './client-metadata.js'

/** Where the store keeps a registered client, and a document's client (under a digest of its URL). */
export const recordIdOf = {
  registered: (clientId: string) => `reg:${clientId}`,
  document: (urlDigest: string) => `doc:${urlDigest}`,
}

/** What a client record in the store holds: the client, as {@link readClientMetadata} read it. */
export interface ClientRecord {
  client: ArrivingClient
}
