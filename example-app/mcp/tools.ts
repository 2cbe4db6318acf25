import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { userById } from '../users.js'

/** A tool's answer: one text block, flagged as an error when it is one. */
function answer(text: string, isError = false): CallToolResult {
  return { content: [{ type: 'text', text }], ...(isError ? { isError } : {}) }
}

/**
 * The user an access token was issued for: `requireBearer` puts the token's `sub` in
 * `authInfo.extra.subject`, and the SDK's transport hands `req.auth` to tools as `authInfo`.
 */
function userOf(authInfo: AuthInfo | undefined) {
  return userById(authInfo?.extra?.subject)
}

/**
 * The example's MCP server, built for one request (stateless Streamable HTTP): two read-only
 * tools that answer from the verified access token and the app's user directory.
 * - `whoami`: the signed-in user the token speaks for (id, name, e-mail address).
 * - `token-info`: what the server checked in the token: client, scopes, audience and time left.
 */
export function createMcpServer(): McpServer {
  const server = new McpServer({ name: 'express-authcode-example', version: '1.0.0' })

  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description: 'The user who signed in and approved this client: user id, name and e-mail address.',
      annotations: { readOnlyHint: true },
    },
    ({ authInfo }) => {
      const user = userOf(authInfo)
      // A token's user can leave the directory while the token lives.
      if (!user) return answer('The access token names no user of this app.', true)
      return answer(`You are ${user.name} <${user.email}>, user id ${user.id}.`)
    },
  )

  server.registerTool(
    'token-info',
    {
      title: 'Access token',
      description: 'What this server checked in the access token of this call: client, scopes, audience and seconds left.',
      annotations: { readOnlyHint: true },
    },
    ({ authInfo }) => {
      if (!authInfo) return answer('No access token came with this call.', true)
      const secondsLeft = authInfo.expiresAt === undefined ? 'unknown' : Math.max(0, authInfo.expiresAt - Math.floor(Date.now() / 1000))
      return answer(
        [
          `client: ${authInfo.clientId}`,
          `scopes: ${authInfo.scopes.join(' ') || '(none)'}`,
          `audience: ${authInfo.resource?.href ?? '(none)'}`,
          `user: ${userOf(authInfo)?.id ?? '(unknown)'}`,
          `seconds left: ${secondsLeft}`,
        ].join('\n'),
      )
    },
  )

  return server
}
