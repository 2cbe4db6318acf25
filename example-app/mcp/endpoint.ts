import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express'
import type { ProtectedResource } from '../../lib/index.js'
import { MCP_PATH, MCP_SCOPE } from './resource.js'
import { createMcpServer } from './tools.js'

/**
 * One MCP request (stateless Streamable HTTP): a fresh server and transport, closed with the
 * response, so that nothing of one caller's call outlives it.
 */
const handleMcpRequest: RequestHandler = (req, res, next) => {
  const server = createMcpServer()
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
  res.on('close', () => {
    void transport.close()
    void server.close()
  })
  // Passed on by hand: Express 4 does not catch a rejected promise.
  server
    .connect(transport)
    .then(() => transport.handleRequest(req, res, req.body))
    .catch(next)
}

/** A stateless server keeps no stream to resume or session to end: only POST. */
const methodNotAllowed: RequestHandler = (_req, res) => {
  res
    .status(405)
    .set('Allow', 'POST')
    .json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this server is stateless, POST only.' }, id: null })
}

/** A body that is no JSON, or too large, gets a JSON-RPC parse error with the parser's 4xx status, not the app's HTML error page. */
const unreadableBody: ErrorRequestHandler = (err, _req, res, next) => {
  const status = (err as { status?: unknown }).status
  if (typeof status !== 'number' || status < 400 || status > 499) return next(err)
  res.status(status).json({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: send a JSON-RPC message as JSON.' }, id: null })
}

/**
 * The MCP endpoint at {@link MCP_PATH}, behind the router's `requireBearer`: a request without a
 * valid access token for this resource holding {@link MCP_SCOPE} gets 401 (403 for a missing
 * scope) with the `WWW-Authenticate` challenge that tells an MCP client where the resource's
 * metadata, and so the authorization server, is. Mount it before any middleware that reads
 * bodies or refuses cross-site posts: a bearer-token API carries no cookie to protect.
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization
 */
export function mcpEndpoint(resource: ProtectedResource): Router {
  const router = Router()
  router.all(MCP_PATH, resource.requireBearer([MCP_SCOPE]))
  router.post(MCP_PATH, express.json({ limit: '1mb' }), handleMcpRequest)
  router.all(MCP_PATH, methodNotAllowed)
  router.use(MCP_PATH, unreadableBody)
  return router
}
