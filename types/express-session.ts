// Opt-in typing of `req.session.userId`: a host with @types/express-session writes
// `import type {} from 'express-authcode/express-session'`. The package entry does not re-export
// this file, so its types compile without express-session.
// A type-only import keeps express-session out of the runtime graph while still augmenting it.
import type { SessionData as _SessionData } from 'express-session'

declare module 'express-session' {
  interface SessionData {
    /** The signed-in user's id, read by `GET /authorize` (option `session.userKey`). */
    userId?: string
  }
}

export type SessionData = _SessionData
