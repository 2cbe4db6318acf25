import type { Request, RequestHandler } from 'express'
import { DEFAULTS } from '../../defaults.js'
import { draftCode, issueCode } from '../../engine/issue.js'
import { appendQuery } from '../../engine/redirect-uri.js'
import { LoginRequiredError } from '../../errors/oauth.js'
import { parseParams, rawQuery } from '../../http/params.js'
import { redirectErrorsTo } from '../../http/render/authorize.js'
import { sendRedirect } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { currentUser } from './current-user.js'
import { nextInteraction } from './interaction.js'
import { validateRequest, verifyRedirect } from './request.js'

/**
 * The parameter the router adds to the `/authorize` URL it sends the browser back to after a
 * login or consent page: when it sent the browser there (epoch seconds), so that `prompt=login`,
 * `prompt=consent` and `max_age` are satisfied by what happened since, not asked again forever.
 */
const ASKED_AT = 'authcode_asked_at'

/**
 * `GET /authorize`: the authorization code flow with PKCE (S256) for the user signed in to
 * the host app. An unknown client or redirect URI is answered here (400); other faults are
 * redirected to the client. Nobody signed in sends the browser to `loginUrl` with `return_to`
 * (with `prompt=none`, or without a `loginUrl`, the client gets `login_required`); a sign-in
 * older than `prompt=login` or `max_age` allows goes there too, and a client that needs the
 * user's consent goes to `consentUrl`. Otherwise a code bound to the client, redirect URI,
 * scope, resources, user and challenge goes to the client with `state` and `iss`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export function authorize(ctx: AuthcodeContext): RequestHandler {
  const { options, engine } = ctx
  return async function authorizeSignedInUser(req, res) {
    const parsed = parseParams(rawQuery(req.originalUrl), ['resource'])
    const verified = verifyRedirect(options.clients, parsed)
    // A state given twice is not echoed: neither copy can be trusted to be the client's.
    const state = parsed.repeated.includes('state') ? undefined : parsed.params.state
    redirectErrorsTo(res, { redirectUri: verified.redirectUri, state, iss: options.issuer })
    const request = validateRequest(verified, parsed, options.requireState)
    const askedAt = readAskedAt(parsed.params[ASKED_AT])
    const subject = await currentUser(options, req)
    if (subject === undefined) {
      if (request.prompt.none || options.loginUrl === undefined) throw new LoginRequiredError()
      sendRedirect(res, appendQuery(options.loginUrl, { return_to: returnTo(req), prompt: request.prompt.login ? 'login' : undefined }))
      return
    }
    const next = await nextInteraction(options, req, subject, request, askedAt)
    if (next === 'login') {
      sendRedirect(res, appendQuery(options.loginUrl as string, { return_to: returnTo(req), prompt: 'login' }))
      return
    }
    if (next === 'consent') {
      const page = { return_to: returnTo(req), client_id: request.client.id, scope: request.scope }
      sendRedirect(res, appendQuery(options.consentUrl as string, page))
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
      ...(request.resource.length === 0 ? {} : { resource: request.resource }),
    })
    await issueCode(engine, draft)
    sendRedirect(res, appendQuery(request.redirectUri, { code: draft.code, state: request.state, iss: options.issuer }))
  }
}

/** A past moment this router marked, in epoch seconds; anything else (a future or malformed value) is no mark. */
function readAskedAt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value)) return undefined
  const at = Number(value)
  return at <= Date.now() / 1000 + 1 ? at : undefined
}

/**
 * This request's URL relative to the host, never protocol-relative, for the login or consent
 * page to send the browser back to, marked with the moment it was sent there.
 */
function returnTo(req: Request): string {
  const [path = '', query = ''] = req.originalUrl.replace(/^[/\\]+/, '').split(/\?(.*)/s)
  const kept = query.split('&').filter((pair) => pair !== '' && !pair.startsWith(`${ASKED_AT}=`))
  return `/${path}?${[...kept, `${ASKED_AT}=${Math.floor(Date.now() / 1000)}`].join('&')}`
}
