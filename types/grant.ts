/** Which endpoint issued a code. A code can only be redeemed as the kind it was issued as. */
export type CodeKind = 'magic_link' | 'capture' | 'authorize'

/**
 * What a redeemed code grants: resolved by `auth.redeem()`, handed to `issueTokens()` and
 * carried by the `authorization.CodeRedeemed` and `authorization.CodeReuseDetected` events.
 */
export interface Grant {
  kind: CodeKind
  /** `external_user_id` verbatim (magic link), `findUser`'s result (Capture) or the session user (authorize). */
  subject: string
  /** The issuing service client (magic link), the `for_client_id` (Capture) or the OAuth client (authorize). */
  clientId: string
  /** Space-separated scope granted at `/authorize`. */
  scope?: string
  /** Redirect URI the code is bound to (`/authorize` and Capture codes). */
  redirectUri?: string
  /**
   * The RFC 8707 resource indicators the code was asked for at `/authorize`; at `/token`, the
   * one resource the token request named, when it named one.
   * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
   */
  resource?: string[]
  /**
   * When the user last authenticated (epoch seconds), as the host's `getAuthTime` reported it
   * when `/authorize` issued the code: for the `auth_time` claim of an ID token.
   * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
   */
  authTime?: number
  /**
   * The RFC 7638 SHA-256 thumbprint of the DPoP key the grant is bound to: a code's, from
   * `dpop_jkt` at `/authorize` or `/par` (then `/token` needs a proof of that key); at `/token`,
   * the key the request proved it holds, so that `issueTokens` mints `token_type: "DPoP"` access
   * tokens with `cnf.jkt` (`jwtAccessTokenIssuer` does); on a refresh, the family's key, or the
   * proof's for a family bound to none.
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-6.1
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-10
   */
  dpopJkt?: string
  /** `integration_context` given to `POST /codes`. */
  integrationContext?: Record<string, unknown>
  /** `transaction_state` given to Capture's `getAuthorizationCode`, parsed back to JSON. */
  transactionState?: unknown
  /**
   * How `/token` or `/oauth/token` came to hand the grant to `issueTokens`: a code exchanged, or
   * a refresh token rotated. Absent outside the token endpoints (`auth.redeem()`, events).
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
   */
  grantType?: 'authorization_code' | 'refresh_token'
  /** When the code was issued; for `grantType: 'refresh_token'`, when its family started (the code exchange). */
  issuedAt: Date
  /** When the code expires; for `grantType: 'refresh_token'`, when its family ends at the latest (`maxLifetime`). */
  expiresAt: Date
}

/** What the caller of `auth.redeem()` expects of a code; a mismatch burns the code. */
export interface RedeemExpectation {
  /**
   * The kind, or kinds, the code must have been issued as. Required: a landing page that forgot
   * it would sign in the subject of any code.
   */
  kind: CodeKind | readonly CodeKind[]
  /** The client the code must have been issued to. */
  clientId?: string
  /**
   * The redirect URI presented with the code. A string must equal the bound URI exactly;
   * `null` says none was presented, which fails for a code bound to one; omitted skips the check.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
   */
  redirectUri?: string | null
  /**
   * PKCE `code_verifier`. Required for a code issued with a challenge, refused for one without.
   * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
   */
  codeVerifier?: string
  /**
   * An RFC 8707 resource the token request names: it must be one the code was issued for, and
   * the grant then carries just that one.
   * @see https://www.rfc-editor.org/rfc/rfc8707#section-2.2
   */
  resource?: string
}
