import { Router } from 'express'
import { AUTH_MOUNT } from '../auth.js'
import { html } from '../html.js'
import { devRoutesOn, sendPage } from '../layout.js'
import { userById } from '../users.js'

/** `GET /`: what the product does, who is signed in, and where to click next. */
export function homeRoutes(storesDescription: string): Router {
  const router = Router()
  router.get('/', (req, res) => {
    const user = userById(req.session.userId)
    const dev = devRoutesOn(req)
    sendPage(
      req,
      res,
      'Single-use sign-in codes for Express',
      html` <p class="lead">
          This app mounts <strong>express-authcode</strong> at <code>${AUTH_MOUNT}</code>. The router issues short-lived, single-use codes
          three ways and redeems each exactly once, on Redis or in memory.
        </p>
        ${
          user
            ? html`<div class="notice ok" id="signed-in">
                Signed in as <strong>${user.name}</strong> (${user.email}) via ${req.session.signedInVia ?? 'the sign-in page'}.
              </div>`
            : html`<div class="notice">You are not signed in. <a href="/login">Sign in</a> as a demo user, or ask for a magic link.</div>`
        }
        <div class="cards">
          <section class="card">
            <h2>Magic link</h2>
            <p>
              The app's back end calls <code>POST /codes</code> with a bearer token; the <code>CodeIssued</code> handler e-mails a link and a
              6-digit code, bound to the browser that asked. Opening the link spends nothing; the Sign-in button does.
            </p>
            <a class="button" href="/magic-link">E-mail me a magic link</a>
          </section>
          <section class="card">
            <h2>OAuth 2.0 + PKCE</h2>
            <p>
              A demo public client runs the authorization code flow against <code>GET /authorize</code> and <code>POST /token</code> on this
              app's session.
            </p>
            <a class="button" href="/demo-client">Try the OAuth client</a>
          </section>
          <section class="card">
            <h2>Native app + consent</h2>
            <p>
              A native (desktop or CLI) client gets a code only after you approve it on the consent page: any local program could claim its
              redirect URI.
            </p>
            <a class="button" href="/demo-native">Try the native app</a>
          </section>
          ${
            dev
              ? html`<section class="card">
                <h2>Capture call</h2>
                <p>
                  A CRM's Capture client, unchanged but for its base URL, signs <code>getAuthorizationCode</code>, then exchanges the code at
                  <code>oauth/token</code> and gets its <code>transaction_state</code> back.
                </p>
                <a class="button" href="/capture-demo">Make a Capture call</a>
              </section>`
              : ''
          }
        </div>
        <p id="mcp-demo-link">
          The app also serves an <strong>MCP server</strong> that takes the router's access tokens: MCP clients find it, register or
          name themselves by URL, and sign you in here. <a href="/mcp-demo">See how</a>.
        </p>
        <h2>Under the hood</h2>
        <ul>
          <li>Storage: ${storesDescription}.</li>
          <li>
            Authorization server metadata:
            <a href="${AUTH_MOUNT}/.well-known/oauth-authorization-server">${AUTH_MOUNT}/.well-known/oauth-authorization-server</a>
          </li>
          ${
            dev
              ? html`<li>E-mails the app sent: <a href="/mailbox">dev mailbox</a>.</li>
                <li>
                  Operations: <a href="/ops" id="ops-link">charts of codes issued, redeemed, reused and failed, store latency and health</a>;
                  Prometheus metrics at <a href="/metrics">/metrics</a>.
                </li>`
              : ''
          }
        </ul>`,
    )
  })
  return router
}
