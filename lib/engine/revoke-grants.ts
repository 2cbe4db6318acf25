import type { GrantsRevocation, Revocation } from '../../types/router.js'
import type { Engine } from './engine.js'
import { ownerGroup } from './issue.js'
import { emit } from './redeem.js'
import { looksLikeRefreshToken, openRefreshRecord, refreshTokenId } from './refresh-record.js'
import { refreshStore } from './refresh-tokens.js'

/** What `POST /revoke` presents: the token and the authenticated client. */
export interface TokenRevocation {
  token: string
  clientId: string
}

/**
 * Revokes the family of a refresh token its client presents, so that none of its tokens works
 * any more (the one presented, its successors, its newest), and fires
 * `authorization.RefreshTokenRevoked`. Anything else (a token the router does not know, one
 * expired, already revoked, or another client's) revokes nothing, and the caller is told nothing
 * of which it was: the endpoint answers 200 either way. Resolves whether a family was revoked,
 * once durable (with `durability`, once the replicas acknowledged it).
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2
 * @throws StoreUnavailableError when the store does not answer, or too few replicas acknowledge in time.
 */
export async function revokeRefreshToken(engine: Engine, { token, clientId }: TokenRevocation): Promise<boolean> {
  if (!looksLikeRefreshToken(token)) return false
  const store = refreshStore(engine)
  const id = refreshTokenId(engine.atRest, token)
  const state = await store.read(id)
  const record = state.status === 'missing' ? undefined : openRefreshRecord(engine.atRest, token, id, state.value)
  // RFC 7009 §2.1: a token is revoked only for the client it was issued to.
  if (record === undefined || record.grant.clientId !== clientId) return false
  if (!(await store.revoke(record.familyId))) return false
  engine.telemetry?.grantsRevoked(1, 'revocation')
  await emit(engine, 'authorization.RefreshTokenRevoked', { familyId: record.familyId, clientId, subject: record.grant.subject })
  return true
}

/**
 * "Sign out everywhere": revokes every refresh-token family of a user (of one client, or of all)
 * and deletes every live magic-link code and passcode of theirs, as `auth.revokeCodes()` does,
 * both found by the HMAC of the user id under `atRestKey` they are filed under; then fires
 * `authorization.GrantsRevoked`. Resolves how many of each, once the store holds the revocations
 * durably: the event fires only then. A store that keeps no refresh tokens revokes codes only.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 * @throws StoreUnavailableError when the store does not answer, or too few replicas acknowledge in time.
 */
export async function revokeGrants(engine: Engine, { subject, clientId }: Revocation): Promise<GrantsRevocation> {
  const group = ownerGroup(engine.atRest, subject)
  const options = clientId === undefined ? {} : { clientId }
  const families = engine.store.refreshTokenStore?.()
  const [revokedFamilies, codes] = await Promise.all([families?.revokeOwner(group, options) ?? 0, engine.store.revoke(group, options)])
  engine.telemetry?.grantsRevoked(revokedFamilies, 'sign_out')
  await emit(engine, 'authorization.GrantsRevoked', { subject, ...options, families: revokedFamilies, codes })
  return { families: revokedFamilies, codes }
}
