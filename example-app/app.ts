import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import express, { type Express } from 'express'
import { canonicalHost } from './canonical-host.js'
import { AUTH_MOUNT, clientsFor, createAuth, MAGIC_PATH, newServiceCredentials } from './auth.js'
import { demoClientRouter } from './demo-client/router.js'
import { mcpEndpoint } from './mcp/endpoint.js'
import { MCP_SCOPE, mcpResourceUrl } from './mcp/resource.js'
import { html, type SafeHtml } from './html.js'
import { sendPage } from './layout.js'
import { Mailer, sendMagicLinkEmail } from './mailer.js'
import { captureDemoRoutes } from './routes/capture-demo.js'
import { homeRoutes } from './routes/home.js'
import { consentRoutes } from './routes/consent.js'
import { serverErrorPage } from './routes/error-page.js'
import { loginRoutes } from './routes/login.js'
import { landingPage } from './routes/landing.js'
import { magicLinkRoutes } from './routes/magic-link.js'
import { mailboxRoutes } from './routes/mailbox.js'
import { mcpDemoRoutes } from './routes/mcp-demo.js'
import { opsRoutes } from './routes/ops.js'
import { supportRoutes } from './routes/support.js'
import { OpsSeries } from './ops-series.js'
import { sameOriginPosts, securityHeaders } from './security-headers.js'
import { SESSION_COOKIE, sessionMiddleware } from './session.js'
import { openStores } from './stores.js'
import { startTelemetry } from './telemetry.js'
import './session-data.js'

/** Options of {@link createExampleApp}. */
export interface ExampleAppOptions {
  /** Public URL of the app, no trailing slash, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string
  redisUrl?: string
  smtpUrl?: string
  sessionSecret?: string
  /** Redirect page visits on another host name to `baseUrl` (when `baseUrl` is the listening address). */
  canonicalHost?: boolean
  /**
   * Serve the development pages: the dev mailbox (every link and passcode sent), `/metrics` and
   * the ops page, the Capture demo (mints a code for any user) and the support page (says which
   * addresses have accounts). Off, they answer 404 and no page links to them.
   * @default false
   */
  devRoutes?: boolean
  /**
   * The demo MCP client's metadata document, served by the app's HTTPS listener on loopback
   * (`startClientDocumentServer`): the router then fetches documents from its host, trusting its
   * certificate. Without it, only documents on public https: hosts are accepted.
   */
  clientDocument?: { url: string; cert: string }
}

/**
 * The proxies whose `X-Forwarded-*` headers the app believes when its URL is https: a
 * TLS-terminating proxy on this machine or a private network. Anyone else could forge them.
 * @see https://expressjs.com/en/guide/behind-proxies.html
 */
const TRUSTED_PROXIES = 'loopback, linklocal, uniquelocal'

/** The app and what it holds open. */
export interface ExampleApp {
  app: Express
  /** Which stores are in use, for the start-up line. */
  storesDescription: string
  /** Closes the Redis connection and the mail transport; call after the server stopped. */
  close(): Promise<void>
}

/** Builds the example host app: express-authcode mounted at {@link AUTH_MOUNT} plus the pages that use it. */
export async function createExampleApp({
  baseUrl,
  redisUrl,
  smtpUrl,
  sessionSecret,
  canonicalHost: redirectOtherHosts,
  devRoutes = false,
  clientDocument,
}: ExampleAppOptions): Promise<ExampleApp> {
  const stores = await openStores(redisUrl)
  const mailer = new Mailer(smtpUrl)
  const credentials = newServiceCredentials()
  const clients = clientsFor(baseUrl)
  const secret = sessionSecret ?? randomBytes(32).toString('base64url')

  // The SDK first: the router's instruments report to the meter provider registered when it is built.
  const telemetry = startTelemetry()
  const loopbackDocuments = clientDocument && { host: new URL(clientDocument.url).hostname, cert: clientDocument.cert }
  const auth = createAuth(baseUrl, stores, credentials, loopbackDocuments)
  auth.on('authorization.CodeIssued', sendMagicLinkEmail(mailer))
  const { issuer } = auth.metadata
  const authorizationEndpoint = auth.metadata.authorization_endpoint ?? `${issuer}/authorize`
  const tokenEndpoint = auth.metadata.token_endpoint ?? `${issuer}/token`
  const parEndpoint = auth.metadata.pushed_authorization_request_endpoint ?? `${issuer}/par`
  const origin = new URL(baseUrl).origin
  const https = baseUrl.startsWith('https:')

  const app = express()
  app.disable('x-powered-by')
  // Read by the pages (layout.ts devRoutesOn), which link to the development pages only when they are served.
  app.locals.devRoutes = devRoutes
  // On https the TLS ends at a proxy: req.secure (which the Secure cookies need) and req.ip come from its headers.
  if (https) app.set('trust proxy', TRUSTED_PROXIES)
  if (redirectOtherHosts) app.use(canonicalHost(baseUrl))
  app.use(securityHeaders({ https }))
  app.use('/static', express.static(fileURLToPath(new URL('./public', import.meta.url)), { maxAge: '1h' }))
  // What a browser asks for by itself on a page that names no icon (the JSON metadata documents).
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/favicon.svg'))

  // The MCP server, an OAuth protected resource: its RFC 9728 metadata, then its endpoint. No
  // session and no same-origin check: it takes bearer tokens, never cookies.
  const mcpResource = auth.protectedResource({ resource: mcpResourceUrl(baseUrl), scopes: [MCP_SCOPE] })
  app.use(mcpResource)
  app.use(mcpEndpoint(mcpResource))

  // The demo clients are separate apps sharing this server: each its own cookie, mounted before ours.
  const mountDemoClient = (client: { id: string; name: string; redirectUri: string }, description: SafeHtml) => {
    const basePath = `/${client.id}`
    app.use(
      basePath,
      sameOriginPosts(origin),
      demoClientRouter({
        basePath,
        title: client.name,
        description,
        clientId: client.id,
        redirectUri: client.redirectUri,
        scope: 'openid profile',
        issuer,
        authorizationEndpoint,
        tokenEndpoint,
        parEndpoint,
        session: sessionMiddleware({
          stores,
          secret,
          name: `${client.id}.sid`,
          prefix: `example:${client.id}-sess:`,
          path: basePath,
          https,
        }),
      }),
    )
  }
  mountDemoClient(
    clients.demoClient,
    html`<p>
      This is a separate little app, registered as the public client <code>${clients.demoClient.id}</code>. It sends your browser to
      <code>GET /authorize</code> with a PKCE challenge, then trades the code for tokens at <code>POST /token</code> from its server.
    </p>`,
  )
  mountDemoClient(
    clients.demoNative,
    html`<p>
      This stands for a desktop or command-line app, registered as the <em>native</em> client <code>${clients.demoNative.id}</code>. Any
      program on your computer could claim a native app's redirect URI, so express-authcode asks you to approve it on a consent page
      before it gets a code, every time: an approval answers that one sign-in only, so run it again and you are asked again.
    </p>`,
  )

  app.use(sessionMiddleware({ stores, secret, name: SESSION_COOKIE, prefix: 'example:sess:', https }))
  app.use(AUTH_MOUNT, auth)
  app.get(auth.metadataPath, (_req, res) => {
    res.json(auth.metadata)
  })

  // The pages' own forms; parsed after the router, which parses its endpoints' bodies itself.
  app.use(sameOriginPosts(origin), express.urlencoded({ extended: false, limit: '16kb' }))
  app.use(homeRoutes(stores.description))
  app.use(loginRoutes())
  app.use(consentRoutes(auth))
  app.use(mcpDemoRoutes({ auth, resource: mcpResource, clientDocumentUrl: clientDocument?.url }))
  app.use(magicLinkRoutes({ auth, baseUrl, clientId: clients.accountService.id, serviceToken: credentials.accountServiceToken }))
  // The link's landing page: it reads its own form body and cookies, after the same-origin check above.
  app.use(MAGIC_PATH, landingPage(auth))
  let opsSeries: OpsSeries | undefined
  if (devRoutes) {
    // Development pages, each unsafe on a public server: they show or do what only staff may.
    opsSeries = new OpsSeries(telemetry.collect, () => auth.health())
    app.use(opsRoutes(telemetry, opsSeries))
    app.use(supportRoutes(auth))
    app.use(mailboxRoutes(mailer))
    app.use(
      captureDemoRoutes({
        api: { baseUrl: `${baseUrl}${AUTH_MOUNT}`, clientId: clients.crm.id, clientSecret: credentials.crmSecret },
        redirectUri: clients.crm.redirectUri,
      }),
    )
  }
  app.use((req, res) => sendPage(req, res, 'Not found', html`<p>Nothing here. <a href="/">Home</a></p>`, 404))
  app.use(serverErrorPage)

  return {
    app,
    storesDescription: stores.description,
    close: async () => {
      opsSeries?.stop()
      mailer.close()
      await stores.close()
      await telemetry.shutdown()
    },
  }
}
