import type { Request, Response } from 'express'
import { html, jsonBlock, type SafeHtml } from './html.js'
import type { CallResult } from './http-call.js'
import { userById } from './users.js'

/** The development pages (dev mailbox, ops, Capture demo, support) are served: `devRoutes` of the app. */
export function devRoutesOn(req: Request): boolean {
  return req.app.locals.devRoutes === true
}

/**
 * Sends a full HTML page in the shared layout; the header shows who is signed in (except on
 * the pages of the demo clients, which stand for other apps: `res.locals.otherApp`). Pages are
 * per-visitor, so they are never stored by caches.
 */
export function sendPage(req: Request, res: Response, title: string, body: SafeHtml, status = 200): void {
  const user = userById(req.session?.userId)
  const dev = devRoutesOn(req)
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    .type('html')
    .send(
      html`<!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>${title} · express-authcode example</title>
            <link rel="stylesheet" href="/static/style.css" />
            <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
          </head>
          <body>
            <header>
              <a class="brand" href="/">express-authcode <span>example</span></a>
              <nav>
                <a href="/magic-link">Magic link</a>
                ${dev ? html`<a href="/mailbox">Mailbox</a>` : ''}
                <a href="/demo-client">OAuth client</a>
                <a href="/demo-native">Native app</a>
                <a href="/mcp-demo">MCP server</a>
                ${dev ? html`<a href="/capture-demo">Capture call</a> <a href="/support">Support</a> <a href="/ops">Ops</a>` : ''}
                ${
                  // The demo clients' pages stand for other apps, with sessions of their own: they show neither.
                  res.locals.otherApp === true
                    ? ''
                    : user
                      ? html`<form method="post" action="/logout" class="inline"><button class="link">Sign out</button></form>`
                      : html`<a href="/login">Sign in</a>`
                }
              </nav>
            </header>
            <main>
              <h1>${title}</h1>
              ${body}
            </main>
          </body>
        </html> `.value,
    )
}

/** One server-to-server call as a step of the demo: request line, status, what was sent when given, and the answer. */
export function callStep(id: string, title: string, call: CallResult, sent?: string) {
  return html`<li id="${id}">
    <strong>${title}</strong>: <code>${call.method} ${new URL(call.url).pathname}</code> →
    <code class="status">${call.status}</code>${sent === undefined ? '' : html`<pre class="request">${sent}</pre>`}${
      typeof call.body === 'string' ? html`<pre>${call.body}</pre>` : jsonBlock(call.body)
    }
  </li>`
}
