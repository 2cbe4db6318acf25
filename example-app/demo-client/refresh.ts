import type { Request, Response, Router } from 'express'
import type { JWK } from 'jose'
import { showAfterPost } from '../after-post.js'
import { html, type SafeHtml } from '../html.js'
import { post, refreshTokenOf, type CallResult } from '../http-call.js'
import { callStep, sendPage } from '../layout.js'
import { describeProof, dpopProof } from './dpop.js'

/** What the demo client needs to refresh: where it is mounted, its id and the token endpoint. */
export interface RefreshSettings {
  basePath: string
  clientId: string
  tokenEndpoint: string
}

/** A token's last characters, enough to tell two apart on the page without showing either. */
const tail = (token: string) => `…${token.slice(-6)}`

/** The "Refresh" button, and "Replay" once a token was spent; each a form the client's server answers. */
export function refreshButtons({ basePath }: RefreshSettings, spent: boolean): SafeHtml {
  const id = basePath.slice(1)
  return html`<div class="actions">
    <form method="post" action="${basePath}/refresh" class="inline"><button id="${id}-refresh">Refresh</button></form>
    ${
      spent
        ? html`<form method="post" action="${basePath}/replay" class="inline">
          <button id="${id}-replay" class="secondary">Replay the spent token</button>
        </form>`
        : ''
    }
  </div>`
}

/**
 * The demo client's refresh pages. `POST /refresh` trades its refresh token at the token
 * endpoint (`grant_type=refresh_token`, RFC 6749 §6) and keeps the successor the answer carries:
 * each token is good once. `POST /replay` shows what happens to a stolen copy of a spent token
 * (RFC 9700 §4.14.2): the server takes it as reuse and revokes the whole family, the client's
 * current token included, so the user has to sign in again. A token bound to a DPoP key is
 * refreshed with a fresh proof of that key (RFC 9449 §5). Both end on the client's result page
 * (post-redirect-get), so a reload spends nothing again.
 */
export function refreshRoutes(router: Router, settings: RefreshSettings): void {
  const { basePath, clientId, tokenEndpoint } = settings
  const refresh = async (refreshToken: string, dpopKey?: JWK): Promise<CallResult & { proof?: string }> => {
    const proof = dpopKey && (await dpopProof(dpopKey, tokenEndpoint))
    const form = { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }
    return { ...(await post(tokenEndpoint, { form, ...(proof ? { headers: { DPoP: proof } } : {}) })), ...(proof ? { proof } : {}) }
  }
  const signInAgain = html`<p><a class="button" href="${basePath}/start">Sign in again</a></p>`
  const nothingHeld = (req: Request, res: Response) =>
    sendPage(
      req,
      res,
      'No refresh token',
      html`<div class="notice bad">This client holds no refresh token: sign in first.</div>${signInAgain}`,
      400,
    )

  router.post('/refresh', async (req, res) => {
    const held = req.session.demoTokens
    if (!held) return nothingHeld(req, res)
    const call = await refresh(held.refreshToken, held.dpopKey)
    const successor = refreshTokenOf(call)
    req.session.demoTokens = successor ? { ...held, refreshToken: successor, spent: held.refreshToken } : undefined
    showAfterPost(
      req,
      res,
      `${basePath}/result`,
      successor ? 'Refreshed' : 'Refresh refused',
      html`<div class="notice ${successor ? 'ok' : 'bad'}">
          ${
            successor
              ? html`The refresh token <code>${tail(held.refreshToken)}</code> was spent; the answer carries its successor
                <code id="${basePath.slice(1)}-successor">${tail(successor)}</code>, the only one that works now.`
              : 'The token endpoint refused the refresh token.'
          }
        </div>
        <ol class="steps">
          ${callStep('refresh-response', call.proof ? 'Refresh, with a DPoP proof' : 'Refresh', call, call.proof && describeProof(call.proof))}
        </ol>
        ${successor ? refreshButtons(settings, true) : signInAgain}`,
    )
  })

  router.post('/replay', async (req, res) => {
    const held = req.session.demoTokens
    if (!held?.spent) return nothingHeld(req, res)
    const replayed = await refresh(held.spent, held.dpopKey)
    const current = await refresh(held.refreshToken, held.dpopKey)
    delete req.session.demoTokens
    const revoked = replayed.status === 400 && current.status === 400
    showAfterPost(
      req,
      res,
      `${basePath}/result`,
      revoked ? 'Reuse detected' : 'Replay',
      html`<div class="notice ${revoked ? 'ok' : 'bad'}" id="replay-verdict">
          ${
            revoked
              ? html`The spent token <code>${tail(held.spent)}</code> was presented again, so the server revoked its whole family: the
                current token <code>${tail(held.refreshToken)}</code> stopped working too, and the user must sign in again.`
              : 'The server did not revoke the family.'
          }
        </div>
        <ol class="steps">
          ${callStep('replay-response', 'Replay the spent token', replayed)} ${callStep('current-response', 'Refresh with the current token', current)}
        </ol>
        ${signInAgain}`,
    )
  })
}
