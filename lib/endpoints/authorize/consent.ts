import type { Request } from 'express'
import type { ResolvedOptions } from '../../options/resolve.js'
import { currentUser, sessionOf } from './current-user.js'

/** Where consent decisions live in `req.session`: a list, so no user id ever becomes an object key. */
const SESSION_KEY = 'authcodeConsent'

/** A signed-in user's decision about one client. */
export interface ConsentDecision {
  subject: string
  clientId: string
  /** The scope tokens approved (empty for a denial). */
  scope: string[]
  /** Epoch seconds of the decision. */
  at: number
  denied?: true
}

/** What the host's consent page passes to `auth.grantConsent()` / `auth.denyConsent()`. */
export interface ConsentInput {
  clientId: string
  /** The scope approved: space-separated, as `/authorize` passed it to the page, or a list. */
  scope?: string | readonly string[]
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

/** Drops a decision (a denial, once reported to the client). */
export function forgetConsent(req: Request, decision: ConsentDecision): void {
  const list = decisions(req)
  list?.splice(list.indexOf(decision), 1)
}

/**
 * Records the signed-in user's approval (joined to what they approved before) or denial of a
 * client, in their session.
 * @throws TypeError when nobody is signed in or the client is unknown (a host bug).
 */
export async function decideConsent(options: ResolvedOptions, req: Request, input: ConsentInput, denied: boolean): Promise<void> {
  const subject = await currentUser(options, req)
  if (subject === undefined) throw new TypeError('auth.grantConsent()/denyConsent(): nobody is signed in on this request')
  if (!options.clients.has(input.clientId))
    throw new TypeError(`auth.grantConsent()/denyConsent(): "${input.clientId}" is not a registered client`)
  const scope = typeof input.scope === 'string' ? input.scope.split(' ').filter(Boolean) : [...(input.scope ?? [])]
  const previous = consentOf(req, subject, input.clientId)
  const kept = previous && !previous.denied ? previous.scope : []
  const at = Math.floor(Date.now() / 1000)
  const decision: ConsentDecision = denied
    ? { subject, clientId: input.clientId, scope: [], at, denied: true }
    : { subject, clientId: input.clientId, scope: [...new Set([...kept, ...scope])], at }
  sessionOf(req, 'keeps consent')[SESSION_KEY] = [...(decisions(req) ?? []).filter((d) => d !== previous), decision]
}
