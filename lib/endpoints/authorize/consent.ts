import type { Request } from 'express'
import type { ConsentInput } from '../../../types/router.js'
import type { AtRest } from '../../engine/at-rest.js'
import type { AuthcodeContext } from '../../options/context.js'
import { currentUser, sessionOf } from './current-user.js'
import { requestKey } from './round-trip.js'

/** Where consent decisions live in `req.session`: a list, so no user id ever becomes an object key. */
const SESSION_KEY = 'authcodeConsent'

/** A signed-in user's decision about one client. */
export interface ConsentDecision {
  subject: string
  clientId: string
  /** The scope tokens approved (empty for a denial). */
  scope: string[]
  /** Epoch milliseconds of the decision. */
  at: number
  /** The authorization request the decision was taken for: a digest of its `return_to` ({@link consentRequest}). */
  request?: string
  denied?: true
}

/**
 * What a decision records of the request it answers: 128 bits of a MAC, under a server key, of
 * the request's path and parameters ({@link requestKey}), so the session holds no URL.
 */
export function consentRequest(atRest: AtRest, pathAndQuery: string): string {
  return atRest.serverMac('express-authcode consent request', requestKey(pathAndQuery)).slice(0, 22)
}

/** The session's decisions, if it has any; reading writes nothing, so an unchanged session is not saved again. */
function decisions(req: Request): ConsentDecision[] | undefined {
  const list = sessionOf(req, 'keeps consent')[SESSION_KEY]
  return Array.isArray(list) ? (list as ConsentDecision[]) : undefined
}

/** The decision the signed-in `subject` took about `clientId`, if any. */
export function consentOf(req: Request, subject: string, clientId: string): ConsentDecision | undefined {
  return decisions(req)?.find((d) => d.subject === subject && d.clientId === clientId)
}

/** Drops a decision: a denial once reported to the client, an approval once it answered its request. */
export function forgetConsent(req: Request, decision: ConsentDecision): void {
  const list = decisions(req)
  list?.splice(list.indexOf(decision), 1)
}

/**
 * Records, in their session, the signed-in user's approval or denial of a client for the
 * authorization request `returnTo`. For a `consent: 'remember'` client an approval joins what
 * the user approved before; for any other it replaces it.
 * @throws TypeError when nobody is signed in, the client is unknown or `returnTo` is missing (host bugs).
 */
export async function decideConsent(
  { options, engine, clients }: AuthcodeContext,
  req: Request,
  input: ConsentInput,
  denied: boolean,
): Promise<void> {
  const name = `auth.${denied ? 'denyConsent' : 'grantConsent'}()`
  const subject = await currentUser(options, req)
  if (subject === undefined) throw new TypeError(`${name}: nobody is signed in on this request`)
  const client = await clients.find(input.clientId)
  if (!client) throw new TypeError(`${name}: "${input.clientId}" is not a registered client`)
  if (typeof input.returnTo !== 'string' || input.returnTo === '') {
    throw new TypeError(
      `${name}: returnTo is required: pass the return_to your consent page was given, the authorization request this decision answers (RFC 8252 §8.6)`,
    )
  }
  const scope = typeof input.scope === 'string' ? input.scope.split(' ').filter(Boolean) : [...(input.scope ?? [])]
  const previous = consentOf(req, subject, input.clientId)
  const kept = client.consent === 'remember' && previous && !previous.denied ? previous.scope : []
  const common = { subject, clientId: input.clientId, at: Date.now(), request: consentRequest(engine.atRest, input.returnTo) }
  const decision: ConsentDecision = denied
    ? { ...common, scope: [], denied: true }
    : { ...common, scope: [...new Set([...kept, ...scope])] }
  sessionOf(req, 'keeps consent')[SESSION_KEY] = [...(decisions(req) ?? []).filter((d) => d !== previous), decision]
}
