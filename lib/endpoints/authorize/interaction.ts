import type { Request } from 'express'
import { AccessDeniedError, ConsentRequiredError, LoginRequiredError } from '../../errors/oauth-authorize.js'
import type { ResolvedOptions } from '../../options/resolve.js'
import { consentOf, forgetConsent } from './consent.js'
import type { AuthorizationRequest } from './request.js'
import type { RoundTrip } from './round-trip.js'

/** Where a signed-in user's request goes next: on to a code, or to the host's login or consent page. */
export type Interaction = 'issue' | 'login' | 'consent'

/** What the router knows of the user and of this request's earlier trips, for {@link nextInteraction}. */
export interface InteractionState {
  subject: string
  /** When the user last authenticated (epoch seconds), from `getAuthTime`. */
  authTime: number | undefined
  /** When the router sent this very request to the login and consent pages, from its round-trip cookie. */
  trip: RoundTrip | undefined
  /** The digest a decision for this request records (`consentRequest`). */
  request: string
}

/**
 * Whether the sign-in is fresh enough: `prompt=login` wants a sign-in after the router sent
 * this request to sign in, `max_age` one at most that many seconds old (or after that). Without
 * `getAuthTime` neither can be told, and the client gets `login_required`.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
function freshEnough(options: ResolvedOptions, request: AuthorizationRequest, { authTime, trip }: InteractionState): boolean {
  const { login, maxAge } = request.prompt
  if (!login && maxAge === undefined) return true
  if (!options.getAuthTime) throw new LoginRequiredError('This request needs a fresh sign-in, which this server cannot check.')
  if (authTime === undefined) return false
  if (trip?.login !== undefined && authTime >= Math.floor(trip.login / 1000)) return true
  return !login && maxAge !== undefined && Math.floor(Date.now() / 1000) - authTime <= maxAge
}

/**
 * Whether the user approved the client for the requested scope. A `consent: 'required'` client
 * (native clients by default) and `prompt=consent` need an approval taken for this very request
 * after the router sent it to the consent page; a `required` client's approval is then used up,
 * so every request is asked (RFC 8252 §8.6: an earlier approval does not prove it is the same
 * program). A `consent: 'remember'` client is answered by the approval the session keeps. A
 * denial taken for this request ends it with `access_denied`; any other is forgotten and the
 * user asked again.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.6
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.2
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
function consented(req: Request, request: AuthorizationRequest, { subject, trip, request: digest }: InteractionState): boolean {
  const { consent } = request.client
  if (consent === 'implicit' && !request.prompt.consent) return true
  const decision = consentOf(req, subject, request.client.id)
  if (decision === undefined) return false
  const answersThis = trip?.consent !== undefined && decision.request === digest && decision.at >= trip.consent
  if (decision.denied) {
    forgetConsent(req, decision)
    if (answersThis) throw new AccessDeniedError()
    return false
  }
  const remembered = consent === 'remember' && !request.prompt.consent
  if (!(remembered || answersThis) || !request.scope.split(' ').every((token) => decision.scope.includes(token))) return false
  if (consent !== 'remember') forgetConsent(req, decision)
  return true
}

/**
 * The sign-in and consent steps of an authorization request for a signed-in user: a stale
 * sign-in goes to `loginUrl`, a missing approval to `consentUrl`; with `prompt=none`, or
 * without the page, the client gets `login_required` or `consent_required` instead.
 */
export function nextInteraction(
  options: ResolvedOptions,
  req: Request,
  request: AuthorizationRequest,
  state: InteractionState,
): Interaction {
  if (!freshEnough(options, request, state)) {
    if (request.prompt.none || options.loginUrl === undefined)
      throw new LoginRequiredError('The sign-in is older than this request allows.')
    return 'login'
  }
  if (!consented(req, request, state)) {
    if (request.prompt.none || options.consentUrl === undefined) throw new ConsentRequiredError()
    return 'consent'
  }
  return 'issue'
}
