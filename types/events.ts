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
  integrationContext?: Record<string, unknown>
}

/** Event types and the data each carries. */
export interface AuthcodeEventMap {
  'authorization.CodeIssued': CodeIssuedData
  'authorization.CodeRedeemed': Grant
  /** A consumed code was presented again; `data` is the original grant, so the host can revoke what it issued. */
  'authorization.CodeReuseDetected': Grant
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
