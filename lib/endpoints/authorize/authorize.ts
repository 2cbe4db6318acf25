import type { RequestHandler } from 'express'
import { DEFAULTS } from '../../defaults.js'
import { draftCode, issueCode } from '../../engine/issue.js'
import { appendQuery } from '../../engine/redirect-uri.js'
import { LoginRequiredError } from '../../errors/oauth.js'
import { parseParams, rawQuery } from '../../http/params.js'
import { sendRedirect } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { consentRequest } from './consent.js'
import { redirectErrorsTo } from './errors.js'
import { authTimeOf, currentUser } from './current-user.js'
import { nextInteraction } from './interaction.js'
import { validateRequest, verifyRedirect } from './request.js'
import { requestKey, returnTo, RoundTrips } from './round-trip.js'

/**
 * `GET /authorize`: the authorization code flow with PKCE (S256) for the user signed in to
 * the host app. An unknown client or redirect URI is answered here (400); other faults are
 * redirected to the client. Nobody signed in sends the browser to `loginUrl` with `return_to`,
 * exactly this request's path and query (with `prompt=none`, or without a `loginUrl`, the
 * client gets `login_required`); a sign-in older than `prompt=login` or `max_age` allows goes
 * there too, and a client that needs the user's consent goes to `consentUrl`. When it sent the
 * browser away is kept in the router's own round-trip cookie, never in the URL, so nobody
 * skips a step by editing it. Otherwise a code bound to the client, redirect URI, scope,
 * resources, user and challenge (and the sign-in time, with `getAuthTime`) goes to the client
 * with `state` and `iss`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.6
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
export function authorize(ctx: AuthcodeContext): RequestHandler {
  const { options, engine } = ctx
  const trips = new RoundTrips(options.issuer, engine.atRest)
  return async function authorizeSignedInUser(req, res) {
    const parsed = parseParams(rawQuery(req.originalUrl), ['resource'])
    const verified = await verifyRedirect(ctx.clients, parsed)
    // A state given twice is not echoed: neither copy can be trusted to be the client's.
    const state = parsed.repeated.includes('state') ? undefined : parsed.params.state
    redirectErrorsTo(res, { redirectUri: verified.redirectUri, state, iss: options.issuer })
    const request = validateRequest(verified, parsed, options)
    const back = returnTo(req)
    const key = requestKey(back)
    const trip = trips.read(req, key)
    const subject = await currentUser(options, req)
    if (subject === undefined) {
      if (request.prompt.none || options.loginUrl === undefined) throw new LoginRequiredError()
      trips.mark(req, res, key, trip, 'login')
      sendRedirect(res, appendQuery(options.loginUrl, { return_to: back, prompt: request.prompt.login ? 'login' : undefined }))
      return
    }
    const authTime = await authTimeOf(options, req)
    const next = nextInteraction(options, req, request, { subject, authTime, trip, request: consentRequest(engine.atRest, back) })
    if (next !== 'issue') {
      trips.mark(req, res, key, trip, next)
      const page =
        next === 'login'
          ? appendQuery(options.loginUrl as string, { return_to: back, prompt: 'login' })
          : appendQuery(options.consentUrl as string, { return_to: back, client_id: request.client.id, scope: request.scope })
      sendRedirect(res, page)
      return
    }
    // The round trip ends with the code: its marks answer nothing more.
    if (trip) trips.clear(req, res)
    const draft = draftCode(engine, {
      kind: 'authorize',
      subject,
      clientId: request.client.id,
      ttlSeconds: DEFAULTS.ttl.authorize,
      scope: request.scope,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      ...(request.resource.length === 0 ? {} : { resource: request.resource }),
      ...(authTime === undefined ? {} : { authTime }),
    })
    await issueCode(engine, draft)
    sendRedirect(res, appendQuery(request.redirectUri, { code: draft.code, state: request.state, iss: options.issuer }))
  }
}
