import { Router } from 'express'
import { AUTH_MOUNT } from '../auth.js'
import { html } from '../html.js'
import { basicAuth, post } from '../http-call.js'
import { callStep, sendPage } from '../layout.js'
import { DEMO_USERS } from '../users.js'

/** The CRM's registration and secret, as a Capture caller holds them. */
export interface CaptureDemoDeps {
  baseUrl: string
  tokenEndpoint: string
  crm: { id: string; secret: string; redirectUri: string }
}

const DEFAULT_STATE = '{"order":"A-1001","step":"checkout"}'

/**
 * A Capture-style server-to-server call: the CRM asks `getAuthorizationCode` for a code for a
 * user (HTTP Basic), then exchanges it at `/token` and gets its `transaction_state` back.
 */
export function captureDemoRoutes({ baseUrl, tokenEndpoint, crm }: CaptureDemoDeps): Router {
  const router = Router()
  const form = (email: string, state: string) =>
    html` <form method="post" action="/capture-demo" class="stack">
      <label for="email">User (looked up by <code>key_attribute=email</code>)</label>
      <select id="email" name="email">
        ${DEMO_USERS.map((u) => html`<option value="${u.email}" ${u.email === email ? html` selected` : ''}>${u.name} — ${u.email}</option>`)}
      </select>
      <label for="transaction_state">transaction_state (JSON)</label>
      <textarea id="transaction_state" name="transaction_state" rows="3">${state}</textarea>
      <button>Call getAuthorizationCode, then /token</button>
    </form>`

  router.get('/capture-demo', (req, res) => {
    sendPage(
      req,
      res,
      'Capture-style call',
      html` <p>
          The CRM (client <code>${crm.id}</code>, role <code>access_issuer</code>) calls the Janrain / Akamai Capture-compatible endpoint
          from its server with HTTP Basic credentials, exactly as existing Capture integrations do.
        </p>
        ${form(DEMO_USERS[0]?.email ?? '', DEFAULT_STATE)}`,
    )
  })

  router.post('/capture-demo', async (req, res) => {
    const email = String(req.body?.email ?? '')
    const state = String(req.body?.transaction_state ?? '')
    const authorization = basicAuth(crm.id, crm.secret)
    const issued = await post(`${baseUrl}${AUTH_MOUNT}/access/getAuthorizationCode`, {
      headers: { authorization },
      form: { key_attribute: 'email', key_value: email, type_name: 'user', redirect_uri: crm.redirectUri, transaction_state: state },
    })
    const code = (issued.body as { authorizationCode?: unknown } | null)?.authorizationCode
    const exchanged =
      typeof code === 'string'
        ? await post(tokenEndpoint, {
            headers: { authorization },
            form: { grant_type: 'authorization_code', code, redirect_uri: crm.redirectUri },
          })
        : undefined
    const returned = (exchanged?.body as { transaction_state?: unknown } | undefined)?.transaction_state
    sendPage(
      req,
      res,
      'Capture-style call',
      html` <ol class="steps">
          ${callStep('capture-issue', 'Issue', issued)} ${exchanged ? callStep('capture-exchange', 'Exchange', exchanged) : ''}
        </ol>
        ${returned !== undefined ? html`<div class="notice ok" id="transaction-state">transaction_state came back: <code>${JSON.stringify(returned)}</code></div>` : ''}
        <h2>Again</h2>
        ${form(email, state)}`,
    )
  })

  return router
}
