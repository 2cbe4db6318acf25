import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { expect } from 'chai'
import { decodeJwt } from 'jose'
import { startExampleApp, type RunningExampleApp } from '../example-app/start.js'
import { signInOnExampleApp } from './helpers/example-app-sign-in.js'
import { MemoryOAuthProvider } from './helpers/mcp-oauth-provider.js'
import { makeLocalhostCertificate } from './helpers/tls-cert.js'

/** The loopback address an MCP client on the user's machine listens on for its code; never called here. */
const REDIRECT_URL = 'http://127.0.0.1:33419/callback'

/** An MCP command-line client: by its metadata document when `clientMetadataUrl` is given, else registered by the SDK. */
function cliProvider(clientMetadataUrl?: string): MemoryOAuthProvider {
  return new MemoryOAuthProvider({
    redirectUrl: REDIRECT_URL,
    clientMetadata: {
      client_name: 'mcp sdk test cli',
      redirect_uris: [REDIRECT_URL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
    state: 'sdk-state-1',
    ...(clientMetadataUrl === undefined ? {} : { clientMetadataUrl }),
  })
}

/**
 * The user's part: sign in as Grace Hopper and approve the client on the consent page, which must
 * be shown; the code goes to the client's loopback URL with the client's state.
 */
async function signInAndApprove(app: RunningExampleApp, authorizationUrl: URL): Promise<{ consentPage: string; code: string }> {
  const { consentPage, redirect } = await signInOnExampleApp(app, authorizationUrl)
  expect(consentPage, 'a consent page').to.be.a('string')
  expect(redirect.origin + redirect.pathname).to.equal(REDIRECT_URL)
  expect(redirect.searchParams.get('state')).to.equal('sdk-state-1')
  return { consentPage: consentPage as string, code: redirect.searchParams.get('code') as string }
}

/** The SDK's Streamable HTTP transport to the example's MCP server, authorized by `provider`. */
function transportTo(app: RunningExampleApp, provider: MemoryOAuthProvider): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(`${app.url}/mcp`), { authProvider: provider })
}

/** A new SDK client, connected through `transport`. */
async function connect(transport: StreamableHTTPClientTransport): Promise<Client> {
  const client = new Client({ name: 'mcp-sdk-test', version: '1.0.0' })
  await client.connect(transport)
  return client
}

/** The text of a tool's answer. */
function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const [first] = result.content as Array<{ type: string; text?: string }>
  expect(first?.type).to.equal('text')
  return first?.text as string
}

describe('example app: its MCP server, with the MCP SDK as the client', function () {
  let app: RunningExampleApp

  before(async function () {
    app = await startExampleApp({ port: 0, host: '127.0.0.1', clientDocumentTls: await makeLocalhostCertificate() })
  })

  after(async function () {
    await app?.stop()
  })

  it('answers a call without a token with 401 and the resource metadata URL in WWW-Authenticate', async function () {
    const res = await fetch(`${app.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    })
    expect(res.status).to.equal(401)
    expect(res.headers.get('www-authenticate')).to.equal(`Bearer resource_metadata="${app.url}/.well-known/oauth-protected-resource/mcp"`)
  })

  const paths = [
    {
      name: 'by its Client ID Metadata Document',
      provider: () => cliProvider(app.clientDocumentUrl),
      clientId: () => app.clientDocumentUrl as string,
    },
    { name: 'by dynamic registration', provider: () => cliProvider(), clientId: () => /^reg-[A-Za-z0-9_-]{43}$/ },
  ] as const

  for (const path of paths) {
    it(`arrives ${path.name}, signs the user in, and calls whoami with a token for the MCP server`, async function () {
      const provider = path.provider()
      const transport = transportTo(app, provider)
      let error: unknown
      try {
        await connect(transport)
      } catch (err) {
        error = err
      }
      expect(error).to.be.instanceOf(UnauthorizedError)
      const authorizationUrl = provider.authorizationUrl as URL
      expect(authorizationUrl.origin).to.equal(app.url)
      expect(authorizationUrl.searchParams.get('resource')).to.equal(`${app.url}/mcp`)
      expect(authorizationUrl.searchParams.get('scope')).to.equal('mcp:tools')
      const clientId = authorizationUrl.searchParams.get('client_id') as string
      const expected = path.clientId()
      if (typeof expected === 'string') expect(clientId).to.equal(expected)
      else expect(clientId).to.match(expected)

      const { consentPage, code } = await signInAndApprove(app, authorizationUrl)
      expect(consentPage).to.include('signed in as <strong>Grace Hopper</strong> (grace@example.com)')
      expect(consentPage).to.match(/your sign-in goes to[^<]*<code>127\.0\.0\.1<\/code>/)
      if (provider.clientMetadataUrl) {
        expect(consentPage).to.include('Allow Demo MCP client?')
        expect(consentPage).to.include('<code>127.0.0.1</code>, <code>localhost</code>')
        expect(consentPage).to.include(`names itself by the document at <code>${clientId}</code>`)
      } else {
        expect(consentPage).to.include('Allow mcp sdk test cli?')
        expect(consentPage).not.to.include('names itself by the document')
      }

      await transport.finishAuth(code)
      const accessToken = provider.tokens()?.access_token as string
      expect(decodeJwt(accessToken)).to.include({ aud: `${app.url}/mcp`, sub: 'user-grace', client_id: clientId, scope: 'mcp:tools' })

      const client = await connect(transportTo(app, provider))
      try {
        const { tools } = await client.listTools()
        expect(tools.map((tool) => tool.name)).to.have.members(['whoami', 'token-info'])
        expect(textOf(await client.callTool({ name: 'whoami' }))).to.equal('You are Grace Hopper <grace@example.com>, user id user-grace.')
        expect(textOf(await client.callTool({ name: 'token-info' }))).to.include(`client: ${clientId}\n`)
      } finally {
        await client.close()
      }

      // With the token, what is not an MCP message gets a JSON-RPC error; a stateless server takes POST only.
      const authorization = `Bearer ${accessToken}`
      const garbled = await fetch(`${app.url}/mcp`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: '{"jsonrpc":',
      })
      expect(garbled.status).to.equal(400)
      expect(await garbled.json()).to.deep.include({ jsonrpc: '2.0', id: null })
      const stream = await fetch(`${app.url}/mcp`, { headers: { authorization, accept: 'text/event-stream' } })
      expect(stream.status).to.equal(405)
      expect(stream.headers.get('allow')).to.equal('POST')
    })
  }
})
