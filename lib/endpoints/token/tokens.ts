import type { Grant } from '../../../types/grant.js'
import type { ClientOptions, TokenResponse } from '../../../types/options.js'
import type { PossessionProof } from '../../engine/possession.js'
import { mintRefreshToken, type RefreshPolicy } from '../../engine/refresh-tokens.js'
import { rotateRefreshToken } from '../../engine/rotate.js'
import { UnauthorizedClientError } from '../../errors/oauth.js'
import type { FormParams } from '../../http/params.js'
import type { AuthcodeContext } from '../../options/context.js'

/** The host's `issueTokens`: what a token endpoint answers for a grant. */
export type IssueTokens = (grant: Grant) => Promise<TokenResponse> | TokenResponse

/** The lifetimes of the refresh tokens the router mints for `client`, or `undefined` when it mints none for it. */
export function refreshPolicyFor(ctx: AuthcodeContext, client: ClientOptions): RefreshPolicy | undefined {
  const policy = ctx.options.refreshTokens
  return policy && client.refreshTokens !== false ? policy : undefined
}

/**
 * What `/token` and `/oauth/token` answer for a grant redeemed from a code: `issueTokens(grant)`
 * with `grantType: 'authorization_code'` and, when the router mints refresh tokens for the
 * client, the first token of a new family as `refresh_token` (replacing one `issueTokens`
 * returned). The family is stored before `issueTokens` runs, so a store that fails spends none
 * of the host's tokens. A public client's family is bound to the DPoP key the grant is bound to
 * (RFC 9449 §5: refreshing it then needs a proof of that key); a confidential client's is not,
 * as the RFC says: its client authentication already sender-constrains it, and the client may
 * change keys (each access token is bound to the key of its own request's proof).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 */
export async function tokensForCode(
  ctx: AuthcodeContext,
  client: ClientOptions,
  grant: Grant,
  issueTokens: IssueTokens,
): Promise<TokenResponse> {
  const exchanged: Grant = { ...grant, grantType: 'authorization_code' }
  const policy = refreshPolicyFor(ctx, client)
  if (policy === undefined) return issueTokens(exchanged)
  const { dpopJkt: _key, ...unbound } = grant
  const refreshToken = await mintRefreshToken(ctx.engine, client.secret === undefined ? grant : unbound, policy)
  return { ...(await issueTokens(exchanged)), refresh_token: refreshToken }
}

/**
 * What `/token` and `/oauth/token` answer to `grant_type=refresh_token`: the presented token is
 * rotated (consumed, its successor minted, in one atomic step) and `issueTokens(grant)` answers
 * with the family's grant (`grantType: 'refresh_token'`), the successor as `refresh_token`. A
 * DPoP `proof` is claimed beside the token's read; a family bound to a key needs one of that key.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 * @throws UnauthorizedClientError for a client opted out of refresh tokens.
 */
export async function tokensForRefresh(
  ctx: AuthcodeContext,
  client: ClientOptions,
  token: string,
  params: FormParams,
  issueTokens: IssueTokens,
  proof?: PossessionProof,
): Promise<TokenResponse> {
  const policy = refreshPolicyFor(ctx, client)
  if (policy === undefined) throw new UnauthorizedClientError('This client is not issued refresh tokens.')
  const presented = { token, clientId: client.id, scope: params.scope, resource: params.resource, proof }
  const { grant, refreshToken } = await rotateRefreshToken(ctx.engine, policy, presented)
  return { ...(await issueTokens(grant)), refresh_token: refreshToken }
}
