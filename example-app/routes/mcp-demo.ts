import { Router } from 'express'
import type { AuthcodeRouter, ProtectedResource } from '../../lib/index.js'
import { html } from '../html.js'
import { sendPage } from '../layout.js'
import { MCP_SCOPE } from '../mcp/resource.js'

/** What the MCP page describes: the router, the MCP server's protected resource, and the demo client's document when it is served. */
export interface McpDemoSettings {
  auth: AuthcodeRouter
  resource: ProtectedResource
  /** The demo MCP client's `client_id` (its metadata document's URL), when the app serves it. */
  clientDocumentUrl?: string | undefined
}

/** The openssl command that makes a one-day certificate for `localhost`, and how to start the app with it. */
const TURN_ON = `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \\
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1 \\
  -keyout localhost-key.pem -out localhost-cert.pem
CLIENT_DOCUMENT_KEY_FILE=localhost-key.pem CLIENT_DOCUMENT_CERT_FILE=localhost-cert.pem CLIENT_DOCUMENT_PORT=3443 npm start`

/**
 * `/mcp-demo`: the app's MCP server and how an MCP client gets a token for it: the 401 that
 * points to the resource's metadata, the authorization server's metadata, the two ways a client
 * arrives (its metadata document's URL, `POST /register`), and a command that runs it all.
 */
export function mcpDemoRoutes({ auth, resource, clientDocumentUrl }: McpDemoSettings): Router {
  const router = Router()
  const { issuer } = auth.metadata
  const registration = auth.metadata.registration_endpoint ?? `${issuer}/register`
  const jwksUri = auth.metadata.jwks_uri ?? `${issuer}/jwks`
  const exampleClient = 'node_modules/@modelcontextprotocol/sdk/dist/esm/examples/client/simpleOAuthClient.js'

  router.get('/mcp-demo', (req, res) => {
    sendPage(
      req,
      res,
      'An MCP server behind express-authcode',
      html` <p class="lead">
          This app serves an MCP server (Streamable HTTP, stateless) at <code id="mcp-url">${resource.resource}</code>. Its tools,
          <code>whoami</code> and <code>token-info</code>, answer for the user who signed in. Every call needs an access token for it with
          the scope <code>${MCP_SCOPE}</code>: a JWT (RFC 9068) the router signs, whose <code>aud</code> is that URL.
        </p>
        <h2>How a client finds its way</h2>
        <ol class="steps">
          <li>
            A call without a token gets <code>401</code> with
            <code>WWW-Authenticate: Bearer resource_metadata="${resource.metadataUrl}"</code>.
          </li>
          <li>
            The protected resource's metadata (RFC 9728) names the authorization server:
            <a href="${resource.metadataUrl}">${resource.metadataUrl}</a>
          </li>
          <li>
            The authorization server's metadata (RFC 8414) gives its endpoints:
            <a href="${auth.metadataPath}">${auth.metadataPath}</a>. The tokens' public key is at
            <a href="${jwksUri}">${jwksUri}</a>.
          </li>
          <li>
            The client sends you to <code>/authorize</code> with PKCE and <code>resource=${resource.resource}</code>. You sign in here and
            approve it on the consent page, which shows where your sign-in goes; then it trades the code for a token at
            <code>/token</code>.
          </li>
        </ol>
        <h2>Two ways a client arrives</h2>
        <ul>
          <li id="mcp-client-document">
            <strong>By its metadata document</strong>, as the MCP spec prefers: its <code>client_id</code> is the https: URL of a JSON
            document about itself, which the router fetches.
            ${
              clientDocumentUrl
                ? html`This app serves one for a demo MCP client, on loopback over HTTPS:
                    <a href="${clientDocumentUrl}">${clientDocumentUrl}</a> (the router trusts its certificate).`
                : html`This app can serve one for a demo MCP client on loopback; it needs a certificate for <code>localhost</code>:
                    <pre>${TURN_ON}</pre>`
            }
          </li>
          <li>
            <strong>By registering</strong> (RFC 7591): <code>POST ${registration}</code> with its <code>redirect_uris</code> and
            <code>token_endpoint_auth_method: "none"</code> gives it a <code>client_id</code>.
          </li>
        </ul>
        <p>
          Either way it is a public client (PKCE, no secret), and you are asked to approve it every time: its name is only what it says of
          itself.
        </p>
        <h2>Try it</h2>
        ${
          clientDocumentUrl
            ? html`<p>The MCP SDK's example OAuth client, named by the demo client's document (it prints the URL to open):</p>
                <pre id="mcp-try-document">node ${exampleClient} ${resource.resource} ${clientDocumentUrl}</pre>
                <p>then <code>list</code> and <code>call whoami</code>.</p>`
            : ''
        }
        <p>
          ${clientDocumentUrl ? 'Or point' : 'Point'} any MCP client at <code>${resource.resource}</code>, e.g. the MCP Inspector (transport
          Streamable HTTP), which registers itself:
        </p>
        <pre>npx @modelcontextprotocol/inspector</pre>`,
    )
  })

  return router
}
