// A type-only import keeps express-session out of the runtime graph while still augmenting it.
import type { SessionData as _SessionData } from 'express-session'

declare module 'express-session' {
  interface SessionData {
    /** The signed-in user's id, read by `GET /authorize` (option `session.userKey`). */
    userId?: string
  }
}

export type SessionData = _SessionData
