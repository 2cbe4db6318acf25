import type { Grant } from '../../types/grant.js'
import type { RefreshTokenOptions } from '../../types/options.js'
import type { RefreshTokenStore } from '../../types/refresh.js'
import { TAG_LENGTH } from './codes.js'
import type { Engine } from './engine.js'
import { ownerGroup } from './issue.js'
import { drawRefreshToken, familyIdFor, sealRefreshRecord, type RefreshRecord } from './refresh-record.js'

/** The lifetimes of refresh tokens, in seconds, with every default applied. */
export type RefreshPolicy = Required<RefreshTokenOptions>

/**
 * The engine store's refresh-token families.
 * @throws TypeError for a store that keeps none (`authcode()` refuses `refreshTokens` with such a store first).
 */
export function refreshStore(engine: Engine): RefreshTokenStore {
  const store = engine.store.refreshTokenStore?.()
  if (store === undefined) throw new TypeError('the code store keeps no refresh tokens (CodeStore.refreshTokenStore)')
  return store
}

/** The grant a family keeps: what `issueTokens` was handed at the code exchange, times aside. */
export function familyGrant(grant: Grant): Omit<RefreshRecord['grant'], 'issuedAt' | 'expiresAt'> {
  const { issuedAt: _issuedAt, expiresAt: _expiresAt, grantType: _grantType, ...bound } = grant
  return bound
}

/**
 * Starts a refresh-token family for a grant just redeemed from a code, and resolves its first
 * token: 256 bits from the CSPRNG (43 base64url characters) that the store keeps only as an id
 * (a keyed hash) and a record sealed under a key derived from the token. The family, its tokens
 * and its record share the token's first two characters as their hash tag, so one atomic step
 * on one Redis Cluster slot rotates them; the family is filed under its user (an HMAC of the
 * subject under `atRestKey`) for `auth.revokeGrants()`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-1.5
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.4
 */
export async function mintRefreshToken(engine: Engine, grant: Grant, policy: RefreshPolicy): Promise<string> {
  const { atRest } = engine
  const drawn = drawRefreshToken(atRest)
  const familyId = familyIdFor(drawn.token.slice(0, TAG_LENGTH))
  const startedAt = Date.now()
  const record: RefreshRecord = {
    familyId,
    grant: { ...familyGrant(grant), issuedAt: startedAt, expiresAt: startedAt + policy.maxLifetime * 1000 },
  }
  await refreshStore(engine).mint({
    familyId,
    tokenId: drawn.id,
    value: sealRefreshRecord(atRest, drawn, record),
    idleMs: policy.idleTtl * 1000,
    maxLifetimeMs: policy.maxLifetime * 1000,
    owner: { group: ownerGroup(atRest, grant.subject), clientId: grant.clientId },
  })
  return drawn.token
}
