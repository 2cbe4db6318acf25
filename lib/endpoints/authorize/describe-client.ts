import type { ClientDescription } from '../../../types/options.js'
import type { ClientDirectory } from '../../clients/directory.js'

/**
 * What the host's consent page shows of a client (`auth.describeClient()`): its registered
 * name, home page and logo, and where its codes go — the hosts of its redirect URIs — so the
 * user can tell which program asks, or `null` for an unknown client. Nothing comes from the
 * authorization request; a client that arrived by URL is described by its metadata document
 * (from the cache `/authorize` filled), whose redirect hosts the MCP authorization spec says to show.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.6
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.2
 */
export async function describeClient(clients: ClientDirectory, clientId: string): Promise<ClientDescription | null> {
  const client = typeof clientId === 'string' ? await clients.find(clientId) : undefined
  if (!client) return null
  return {
    id: client.id,
    ...(client.name === undefined ? {} : { name: client.name }),
    ...(client.uri === undefined ? {} : { uri: client.uri }),
    ...(client.logoUri === undefined ? {} : { logoUri: client.logoUri }),
    redirectHosts: [...new Set((client.redirectUris ?? []).map(redirectHost))],
    metadataDocument: client.origin === 'metadata_document',
  }
}

/** The host of a redirect URI (any port of a loopback one is the same program's), or a private-use scheme. */
function redirectHost(uri: string): string {
  const url = new URL(uri)
  if (url.host === '') return url.protocol
  return url.protocol === 'http:' ? url.hostname : url.host
}
