import type { Request } from 'express'
import type { AccessTokenClaims } from '../../../types/resource.js'
import type { Engine } from '../../engine/engine.js'
import { claimProof, proofReplayed } from '../../engine/possession.js'
import { authcodeErrorOf } from '../../errors/authcode-error.js'
import { InvalidDpopProofError } from '../../errors/oauth.js'
import { ProblemError } from '../../errors/problems.js'
import { checkDpopProof } from '../dpop/proof.js'
import { targetUri } from '../dpop/target-uri.js'
import type { ResourceTarget } from './target.js'

/** RFC 9449 §7.1 `DPoP` credentials: the scheme, then an RFC 6750 `b64token`. */
export const DPOP_CREDENTIALS = /^DPoP +([A-Za-z0-9\-._~+/]+=*) *$/i

/** What the guard asks of a request that sends `Authorization: DPoP <token>`, the token verified. */
export type DpopPresentation = (req: Request, token: string, claims: AccessTokenClaims) => Promise<void>

/**
 * The resource server's side of DPoP: a token sent as `Authorization: DPoP` must be bound to a key
 * (`cnf.jkt`) and come with one proof of that key for this request: `htm` its method, `htu` the
 * resource's origin (scheme, host and port of `resource`, so no `Host` header is trusted) and the
 * request's path, `ath` the token's SHA-256, `iat` within `dpop.skewSeconds`, and a `jti` claimed
 * in the store, so a replayed proof is refused by every process. A refusal is a 401 whose
 * `WWW-Authenticate: DPoP` challenge names the error (`invalid_token`, `invalid_dpop_proof`), the
 * `algs` taken and the RFC 9728 `resource_metadata`.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-6.1
 */
export function dpopPresentation(
  engine: Engine,
  settings: { algorithms: readonly string[]; skewSeconds: number },
  target: ResourceTarget,
): DpopPresentation {
  const origin = new URL(target.resource).origin
  const algs = `algs="${settings.algorithms.join(' ')}"`
  const refuse = (error: string, detail: string) =>
    new ProblemError('unauthorized', {
      detail,
      headers: {
        'WWW-Authenticate': `DPoP error="${error}", error_description="${detail}", ${algs}, resource_metadata="${target.metadataUrl}"`,
      },
    })

  return async function proveDpop(req, token, claims) {
    const jkt = claims.cnf?.jkt
    if (typeof jkt !== 'string') throw refuse('invalid_token', 'The access token is not bound to a DPoP key: send it as a Bearer token.')
    try {
      const proof = await checkDpopProof(req, { htu: targetUri(origin, req.originalUrl), ...settings }, token)
      if (proof === undefined) throw new InvalidDpopProofError('A DPoP-bound access token needs a DPoP proof.')
      if (proof.jkt !== jkt) throw new InvalidDpopProofError('The DPoP proof is not signed with the key the access token is bound to.')
      if (!(await claimProof(engine, proof))) throw proofReplayed()
    } catch (err) {
      const refused = authcodeErrorOf(err)
      // The proof's refusals are OAuth errors (invalid_dpop_proof): answered as the challenge RFC 9449 §7.1 gives them.
      if (refused?.protocol === 'oauth') throw refuse(refused.code, refused.description)
      throw err
    }
  }
}
