import type { RequestHandler } from 'express'
import type { PossessionProof } from '../../engine/possession.js'
import { requestLocal } from '../../http/locals.js'
import type { AuthcodeContext } from '../../options/context.js'
import { checkDpopProof, type DpopChecks } from './proof.js'
import { targetUri } from './target-uri.js'

/** The DPoP proof {@link readDpopProof} checked for this request; `undefined` when it sent none. */
export const dpopProof = requestLocal<PossessionProof>('the checked DPoP proof')

/** What a proof sent to the router's endpoint at `path` (`/token`, `/par`) is checked against: its URL from `issuer`, and `dpop`. */
export function dpopChecksFor(ctx: AuthcodeContext, path: string): DpopChecks {
  return { htu: targetUri(ctx.options.baseUrl, path), ...ctx.options.dpop }
}

/**
 * The route layer that checks a request's DPoP proof, if it sends one, for the router's endpoint
 * at `path` (its `htu` is that endpoint's URL under `issuer`, whatever host or path the request
 * came by), and hands it on in {@link dpopProof}. The proof's `jti` is not claimed yet: the layer
 * that uses the proof claims it beside its own store step.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 * @throws InvalidDpopProofError for a proof that fails a check.
 */
export function readDpopProof(ctx: AuthcodeContext, path: string): RequestHandler {
  const checks = dpopChecksFor(ctx, path)
  return async function readDpop(req, res, next) {
    const proof = await checkDpopProof(req, checks)
    if (proof !== undefined) dpopProof.set(res, proof)
    next()
  }
}
