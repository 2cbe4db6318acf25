import type { ClientDescription, ClientOptions } from '../../../types/options.js'

/**
 * What the host's consent page shows of a client (`auth.describeClient()`): its registered
 * name, home page and logo, and where its codes go — the hosts of its redirect URIs — so the
 * user can tell which program asks, or `null` for an unknown client. Nothing comes from the
 * authorization request.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.6
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.2
 */
export async function describeClient(clients: ReadonlyMap<string, ClientOptions>, clientId: string): Promise<ClientDescription | null> {
  const client = typeof clientId === 'string' ? clients.get(clientId) : undefined
  if (!client) return null
  return {
    id: client.id,
    ...(client.name === undefined ? {} : { name: client.name }),
    ...(client.uri === undefined ? {} : { uri: client.uri }),
    ...(client.logoUri === undefined ? {} : { logoUri: client.logoUri }),
    redirectHosts: [...new Set((client.redirectUris ?? []).map(redirectHost))],
    metadataDocument: false,
  }
}

/** The host of a redirect URI (any port of a loopback one is the same program's), or a private-use scheme. */
function redirectHost(uri: string): string {
  const url = new URL(uri)
  if (url.host === '') return url.protocol
  return url.protocol === 'http:' ? url.hostname : url.host
}
