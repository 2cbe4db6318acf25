import type { Request } from 'express'
import { AccessDeniedError, ConsentRequiredError, LoginRequiredError } from '../../errors/oauth.js'
import type { ResolvedOptions } from '../../options/resolve.js'
import { consentOf, forgetConsent } from './consent.js'
import { authTimeOf } from './current-user.js'
import type { AuthorizationRequest } from './request.js'

/** Where a signed-in user's request goes next: on to a code, or to the host's login or consent page. */
export type Interaction = 'issue' | 'login' | 'consent'

/**
 * Whether the sign-in is fresh enough: `prompt=login` wants a sign-in after the router last
 * sent the browser to sign in (`askedAt`), `max_age` one at most that many seconds old (or
 * after `askedAt`). Without `getAuthTime` neither can be told, and the client gets
 * `login_required`.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
async function freshEnough(
  options: ResolvedOptions,
  req: Request,
  request: AuthorizationRequest,
  askedAt: number | undefined,
): Promise<boolean> {
  const { login, maxAge } = request.prompt
  if (!login && maxAge === undefined) return true
  if (!options.getAuthTime) throw new LoginRequiredError('This request needs a fresh sign-in, which this server cannot check.')
  const authTime = await authTimeOf(options, req)
  if (authTime === undefined) return false
  if (askedAt !== undefined && authTime >= askedAt) return true
  return !login && maxAge !== undefined && Math.floor(Date.now() / 1000) - authTime <= maxAge
}

/**
 * Whether the user approved the client for the requested scope, when the client needs consent
 * (`consent: 'required'`, native clients by default) or the request asks again
 * (`prompt=consent`, answered by a decision taken after `askedAt`). A denial taken on this
 * round trip ends the request with `access_denied`; an older one is forgotten and asked again.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.6
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.2
 */
function consented(req: Request, subject: string, request: AuthorizationRequest, askedAt: number | undefined): boolean {
  if (request.client.consent !== 'required' && !request.prompt.consent) return true
  const decision = consentOf(req, subject, request.client.id)
  const thisRound = decision !== undefined && askedAt !== undefined && decision.at >= askedAt
  if (decision?.denied) {
    forgetConsent(req, decision)
    if (thisRound) throw new AccessDeniedError()
    return false
  }
  if (decision === undefined || (request.prompt.consent && !thisRound)) return false
  return request.scope.split(' ').every((token) => decision.scope.includes(token))
}

/**
 * The sign-in and consent steps of an authorization request for a signed-in user: a stale
 * sign-in goes to `loginUrl`, a missing approval to `consentUrl`; with `prompt=none`, or
 * without the page, the client gets `login_required` or `consent_required` instead.
 */
export async function nextInteraction(
  options: ResolvedOptions,
  req: Request,
  subject: string,
  request: AuthorizationRequest,
  askedAt: number | undefined,
): Promise<Interaction> {
  if (!(await freshEnough(options, req, request, askedAt))) {
    if (request.prompt.none || options.loginUrl === undefined)
      throw new LoginRequiredError('The sign-in is older than this request allows.')
    return 'login'
  }
  if (!consented(req, subject, request, askedAt)) {
    if (request.prompt.none || options.consentUrl === undefined) throw new ConsentRequiredError()
    return 'consent'
  }
  return 'issue'
}
