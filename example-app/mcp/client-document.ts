import { MCP_SCOPE } from './resource.js'

/** Where, on the client-document listener, the demo MCP client's metadata document is served. */
export const CLIENT_DOCUMENT_PATH = '/demo-mcp-client.json'

/** What users see the demo MCP client called. */
export const CLIENT_DOCUMENT_NAME = 'Demo MCP client'

/**
 * The Client ID Metadata Document of a command-line MCP client that names itself by `url`: a
 * public client (PKCE, no secret) whose codes come back to a loopback listener on any port, as
 * the MCP SDK's example OAuth client (`http://localhost:8090/callback`) and the tests' client
 * run one. Its `client_id` must be its own URL, or the router refuses it.
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function demoMcpClientDocument(url: string) {
  return {
    client_id: url,
    client_name: CLIENT_DOCUMENT_NAME,
    redirect_uris: ['http://127.0.0.1/callback', 'http://localhost/callback'],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: MCP_SCOPE,
  }
}
