import type { Grant } from '../../types/grant.js'
import type { RotationResult } from '../../types/refresh.js'
import { InvalidGrantError, InvalidScopeError, InvalidTargetError } from '../errors/oauth.js'
import { TAG_LENGTH } from './codes.js'
import type { Engine } from './engine.js'
import { claimProof, proofReplayed, type PossessionProof } from './possession.js'
import { emit, toGrant } from './redeem.js'
import {
  drawRefreshToken,
  looksLikeRefreshToken,
  openRefreshRecord,
  refreshTokenId,
  sealRefreshRecord,
  type RefreshRecord,
} from './refresh-record.js'
import { refreshStore, type RefreshPolicy } from './refresh-tokens.js'

/** What a `grant_type=refresh_token` request presents, its client authenticated. */
export interface RefreshPresentation {
  /** The `refresh_token` parameter as sent. */
  token: string
  clientId: string
  /** A narrower `scope` for this access token, space-separated. */
  scope?: string | undefined
  /** One RFC 8707 resource of the family's, for this access token. */
  resource?: string | undefined
  /** The DPoP proof the request carried, checked for all but single use. @see https://www.rfc-editor.org/rfc/rfc9449#section-5 */
  proof?: PossessionProof | undefined
}

/** A rotation's outcome: the grant for `issueTokens`, and the token that replaces the one presented. */
export interface Rotated {
  grant: Grant
  refreshToken: string
}

const UNKNOWN = 'The refresh token is invalid, expired or revoked.'

/**
 * Rotates a refresh token: reads it (nothing changes yet), checks that it was issued to the
 * authenticated client and that a `scope` or `resource` asks for no more than its family was
 * granted, then consumes it and makes its successor the family's live token in one atomic store
 * step, from which exactly one of any number of concurrent presentations comes back `rotated`.
 * A token rotated more than `reuseInterval` seconds before revokes its whole family, newest token
 * included, fires `authorization.RefreshTokenReuseDetected` and is refused; within it, it is
 * refused alone. The grant handed back is the family's, with `grantType: 'refresh_token'`, the
 * narrower scope or the one resource asked for; the successor keeps the family's whole scope.
 *
 * A DPoP proof's `jti` is claimed beside the read. A family bound to a DPoP key (RFC 9449 §5:
 * a public client's, started with a proof) needs a proof of that key, checked before anything
 * changes: without it the token is refused but neither rotated nor treated as a replay, so that
 * someone who stole the token but not the key can neither use it nor, by presenting it after the
 * owner rotated it, revoke the owner's family (the RFC only says the binding MUST be validated;
 * the key is what tells the owner from a thief here). The successor stays bound; the grant
 * carries the family's key, or the proof's for a family bound to none (that access token alone).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 * @throws InvalidGrantError for an unknown, expired, revoked, replayed or another client's token,
 * or a bound one without a proof of its key.
 * @throws InvalidDpopProofError for a proof whose `jti` was seen before; nothing is rotated.
 * @throws InvalidScopeError for a scope wider than the family's, InvalidTargetError for a resource it was not granted; neither spends the token.
 */
export async function rotateRefreshToken(engine: Engine, policy: RefreshPolicy, presented: RefreshPresentation): Promise<Rotated> {
  const { token } = presented
  if (!looksLikeRefreshToken(token)) throw new InvalidGrantError(UNKNOWN)
  const store = refreshStore(engine)
  const id = refreshTokenId(engine.atRest, token)
  // Sent beside the read, which does not wait for it: one round trip for both.
  const claimed = presented.proof && claimProof(engine, presented.proof)
  const state = await store.read(id)
  const record = state.status === 'missing' ? undefined : openRefreshRecord(engine.atRest, token, id, state.value)
  if (record === undefined) throw new InvalidGrantError(UNKNOWN)
  // RFC 6749 §6: the token must have been issued to the authenticated client. Another client's is refused and left alone.
  if (record.grant.clientId !== presented.clientId) throw new InvalidGrantError('The refresh token was issued to another client.')
  if (record.grant.dpopJkt !== undefined && presented.proof?.jkt !== record.grant.dpopJkt) {
    throw new InvalidGrantError('The refresh token is bound to a DPoP key: send a DPoP proof of that key.')
  }
  if (claimed !== undefined && !(await claimed)) throw proofReplayed()
  const rotation = { familyId: record.familyId, tokenId: id, idleMs: policy.idleTtl * 1000, reuseIntervalMs: policy.reuseInterval * 1000 }
  if (state.status === 'consumed') return refuse(engine, record, await store.rotate(rotation))
  const grant = grantFor(record, presented)
  const successor = drawRefreshToken(engine.atRest, token.slice(0, TAG_LENGTH))
  const result = await store.rotate({
    ...rotation,
    successor: { id: successor.id, value: sealRefreshRecord(engine.atRest, successor, record) },
  })
  if (result.status !== 'rotated') return refuse(engine, record, result)
  engine.telemetry?.refreshRotated(record.grant.clientId)
  return { grant, refreshToken: successor.token }
}

/** Refuses a presentation the store did not rotate; a replay that revoked its family is reported first. */
async function refuse(engine: Engine, record: RefreshRecord, result: RotationResult): Promise<never> {
  const { familyId, grant } = record
  if (result.status === 'reused') {
    engine.telemetry?.refreshReuseDetected(grant.clientId)
    engine.telemetry?.grantsRevoked(result.revoked ? 1 : 0, 'reuse')
    await emit(engine, 'authorization.RefreshTokenReuseDetected', { familyId, clientId: grant.clientId, subject: grant.subject })
    throw new InvalidGrantError('The refresh token was already used: every token of its grant is revoked.')
  }
  if (result.status === 'recent') throw new InvalidGrantError('The refresh token was just rotated: use the one that replaced it.')
  throw new InvalidGrantError(UNKNOWN)
}

/**
 * The family's grant for this access token: a `scope` may name fewer of the family's scopes
 * (omitted, all of them), never another; a `resource` must be one of the family's; the family's
 * DPoP key, else the proof's.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2.2
 */
function grantFor(record: RefreshRecord, { scope, resource, proof }: RefreshPresentation): Grant {
  const grant: Grant = { ...toGrant(record.grant), grantType: 'refresh_token' }
  if (grant.dpopJkt === undefined && proof !== undefined) grant.dpopJkt = proof.jkt
  if (scope !== undefined) {
    const granted = new Set(record.grant.scope?.split(' '))
    const asked = [...new Set(scope.split(' '))]
    if (asked.some((one) => !granted.has(one))) throw new InvalidScopeError('scope asks for more than the refresh token was granted.')
    grant.scope = asked.join(' ')
  }
  if (resource !== undefined) {
    if (!record.grant.resource?.includes(resource)) throw new InvalidTargetError('resource is not one the refresh token was granted for.')
    grant.resource = [resource]
  }
  return grant
}
