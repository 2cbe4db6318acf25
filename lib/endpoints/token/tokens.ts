import type { Grant } from '../../../types/grant.js'
import type { ClientOptions, TokenResponse } from '../../../types/options.js'
import { mintRefreshToken, type RefreshPolicy } from '../../engine/refresh-tokens.js'
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
 * of the host's tokens.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
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
  const refreshToken = await mintRefreshToken(ctx.engine, grant, policy)
  return { ...(await issueTokens(exchanged)), refresh_token: refreshToken }
}
