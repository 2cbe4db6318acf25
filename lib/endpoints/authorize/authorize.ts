import type { Request, RequestHandler, Response } from 'express'
import { DEFAULTS } from '../../defaults.js'
import { draftCode, issueCode } from '../../engine/issue.js'
import { appendQuery } from '../../engine/redirect-uri.js'
import { InvalidRequestError } from '../../errors/oauth.js'
import { InvalidRequestUriError, LoginRequiredError } from '../../errors/oauth-authorize.js'
import { parseParams, rawQuery } from '../../http/params.js'
import { sendRedirect } from '../../http/send.js'
import type { AuthcodeContext } from '../../options/context.js'
import { consentRequest } from './consent.js'
import { redirectErrorsTo } from './errors.js'
import { authTimeOf, currentUser } from './current-user.js'
import { nextInteraction } from './interaction.js'
import { pushedRequestOf, spendPushedRequest } from '../par/pushed-requests.js'
import { validateRequest, verifyRedirect, type AuthorizationRequest } from './request.js'
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
    const sent = parseParams(rawQuery(req.originalUrl), ['resource'])
    const pushed = await pushedRequestOf(engine, sent)
    const parsed = pushed ? parseParams(pushed.query, ['resource']) : sent
    const verified = await verifyRedirect(ctx.clients, parsed)
    // A state given twice is not echoed: neither copy can be trusted to be the client's.
    const state = parsed.repeated.includes('state') ? undefined : parsed.params.state
    redirectErrorsTo(res, { redirectUri: verified.redirectUri, state, iss: options.issuer })
    if (!pushed) {
      if (options.par.required || verified.client.requirePar) {
        throw new InvalidRequestError('This client must push its authorization request (POST /par) and send request_uri.')
      }
      return answer(req, res, validateRequest(verified, parsed, options))
    }
    try {
      await answer(req, res, validateRequest(verified, parsed, options), pushed.requestUri)
    } catch (err) {
      // An error sent back for a pushed request spends it, as a code does.
      await spendPushedRequest(engine, pushed.requestUri).catch(() => undefined)
      throw err
    }
  }

  /** Sends the browser to sign in or consent, or issues the code (spending `requestUri` first). */
  async function answer(req: Request, res: Response, request: AuthorizationRequest, requestUri?: string): Promise<void> {
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
      ...(request.dpopJkt === undefined ? {} : { dpopJkt: request.dpopJkt }),
      ...(authTime === undefined ? {} : { authTime }),
    })
    // Of two requests with one request_uri, one gets a code.
    if (requestUri !== undefined && !(await spendPushedRequest(engine, requestUri))) throw new InvalidRequestUriError()
    await issueCode(engine, draft)
    sendRedirect(res, appendQuery(request.redirectUri, { code: draft.code, state: request.state, iss: options.issuer }))
  }
}
