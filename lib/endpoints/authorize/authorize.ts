import type { Request, RequestHandler } from 'express'
import { DEFAULTS } from '../../defaults.js'
import { draftCode, issueCode } from '../../engine/issue.js'
import { appendQuery } from '../../engine/redirect-uri.js'
import { LoginRequiredError } from '../../errors/oauth.js'
import { parseParams } from '../../http/params.js'
import { redirectErrorsTo } from '../../http/render/authorize.js'
import { sendRedirect } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { currentUser } from './current-user.js'
import { validateRequest, verifyRedirect } from './request.js'

/**
 * `GET /authorize`: the authorization code flow with PKCE (S256) for the user signed in to
 * the host app. An unknown client or redirect URI is answered here (400); other faults are
 * redirected to the client. Nobody signed in sends the browser to `loginUrl` with `return_to`
 * (with `prompt=none`, or without a `loginUrl`, the client gets `login_required`). Otherwise
 * a code bound to the client, redirect URI, scope, user and challenge goes to the client with
 * `state` and `iss`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2
 */
export function authorize(ctx: AuthcodeContext): RequestHandler {
  const { clients, issuer, loginUrl } = ctx.options
  const { engine } = ctx
  return async function authorizeSignedInUser(req, res) {
    const parsed = parseParams(rawQuery(req.originalUrl))
    const verified = verifyRedirect(clients, parsed)
    // A state given twice is not echoed: neither copy can be trusted to be the client's.
    const state = parsed.repeated.includes('state') ? undefined : parsed.params.state
    redirectErrorsTo(res, { redirectUri: verified.redirectUri, state, iss: issuer })
    const request = validateRequest(verified, parsed)
    const subject = await currentUser(ctx.options, req)
    if (subject === undefined) {
      if (request.promptNone || loginUrl === undefined) throw new LoginRequiredError()
      sendRedirect(res, appendQuery(loginUrl, { return_to: returnTo(req) }))
      return
    }
    const draft = draftCode(engine, {
      kind: 'authorize',
      subject,
      clientId: request.client.id,
      ttlSeconds: DEFAULTS.ttl.authorize,
      scope: request.scope,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
    })
    await issueCode(engine, draft)
    sendRedirect(res, appendQuery(request.redirectUri, { code: draft.code, state: request.state, iss: issuer }))
  }
}

/** The query string of a request URL, as sent (Express's parsed `req.query` could merge repeats or build objects). */
function rawQuery(url: string): string {
  const start = url.indexOf('?')
  return start < 0 ? '' : url.slice(start + 1)
}

/** This request's URL relative to the host, never protocol-relative, for the login page to send the browser back to. */
function returnTo(req: Request): string {
  return `/${req.originalUrl.replace(/^[/\\]+/, '')}`
}
