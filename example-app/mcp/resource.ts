/** Where the app serves its MCP server. */
export const MCP_PATH = '/mcp'

/** The one scope the MCP server's tools need. */
export const MCP_SCOPE = 'mcp:tools'

/**
 * The MCP server's RFC 8707 resource identifier, its URL: clients send it as `resource`, and
 * the access tokens the router mints for it name it as their `aud`.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export function mcpResourceUrl(baseUrl: string): string {
  return `${baseUrl}${MCP_PATH}`
}
