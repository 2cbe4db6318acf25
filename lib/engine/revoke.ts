import type { Revocation } from '../../types/router.js'
import type { Engine } from './engine.js'
import { ownerGroup } from './issue.js'
import { emit } from './redeem.js'

/**
 * Deletes every live magic-link code and passcode of a user (e.g. after a reported phishing
 * mail) and fires `authorization.CodesRevoked`; consumed markers stay, so reuse is still
 * detected. Resolves how many codes it deleted, once the store holds the deletions durably
 * (with `durability`, once the replicas acknowledged them): the event fires only then.
 * @throws StoreUnavailableError when the store does not answer, or too few replicas acknowledge in time.
 */
export async function revokeCodes(engine: Engine, { subject, clientId }: Revocation): Promise<number> {
  const count = await engine.store.revoke(ownerGroup(engine.atRest, subject), clientId === undefined ? {} : { clientId })
  await emit(engine, 'authorization.CodesRevoked', { subject, ...(clientId === undefined ? {} : { clientId }), count })
  return count
}
