import type { CodeKind, Grant } from './grant.js'

/** Data of `authorization.CodeIssued`. */
export interface CodeIssuedData {
  /** The code itself, for the handler that delivers it (e.g. the magic-link e-mail). Never logged. */
  code: string
  kind: CodeKind
  subject: string
  clientId: string
  expiresAt: Date
  magicLink?: string
  /** The one-time passcode issued with a magic-link code (`otp: true`), for the same delivery. Never logged. */
  otp?: string
  integrationContext?: Record<string, unknown>
}

/** Data of `authorization.CodesRevoked`. */
export interface CodesRevokedData {
  subject: string
  /** The client whose codes were revoked; absent, every client's. */
  clientId?: string
  /** How many live codes (with their passcodes) were deleted. */
  count: number
}

/** Data of `authorization.RefreshTokenReuseDetected`: whose family a replayed refresh token revoked. */
export interface RefreshTokenReuseDetectedData {
  /** The family the token belongs to: every token of it stopped working, the newest included. */
  familyId: string
  clientId: string
  subject: string
}

/** Data of `authorization.RefreshTokenRevoked`: the family its client revoked at `POST /revoke`. */
export interface RefreshTokenRevokedData {
  familyId: string
  clientId: string
  subject: string
}

/** Data of `authorization.GrantsRevoked`: what `auth.revokeGrants()` revoked of a user ("sign out everywhere"). */
export interface GrantsRevokedData {
  subject: string
  /** The client whose grants were revoked; absent, every client's. */
  clientId?: string
  /** How many refresh-token families were revoked. */
  families: number
  /** How many live magic-link codes (with their passcodes) were deleted, as `auth.revokeCodes()` does. */
  codes: number
}

/** Event types and the data each carries. */
export interface AuthcodeEventMap {
  'authorization.CodeIssued': CodeIssuedData
  'authorization.CodeRedeemed': Grant
  /** A consumed code was presented again; `data` is the original grant, so the host can revoke what it issued. */
  'authorization.CodeReuseDetected': Grant
  /** `auth.revokeCodes()` deleted a user's live magic-link codes and passcodes. */
  'authorization.CodesRevoked': CodesRevokedData
  /**
   * A refresh token rotated before was presented again (past `reuseInterval`): its whole family is
   * revoked, since the server cannot tell the thief from the client (RFC 9700 §4.14.2).
   */
  'authorization.RefreshTokenReuseDetected': RefreshTokenReuseDetectedData
  /** A client revoked one of its refresh tokens at `POST /revoke`: the token's whole family stopped working. */
  'authorization.RefreshTokenRevoked': RefreshTokenRevokedData
  /** `auth.revokeGrants()` revoked a user's refresh-token families and live codes. */
  'authorization.GrantsRevoked': GrantsRevokedData
}

export type AuthcodeEventType = keyof AuthcodeEventMap

export interface AuthcodeEvent<T extends AuthcodeEventType = AuthcodeEventType> {
  type: T
  /** A random UUID. */
  id: string
  occurredAt: Date
  data: AuthcodeEventMap[T]
}

/** Handlers are awaited in the order they were added, before the response is sent. */
export type AuthcodeEventHandler<T extends AuthcodeEventType = AuthcodeEventType> = (event: AuthcodeEvent<T>) => void | Promise<void>
