// What the example app keeps in its sessions, on top of express-authcode's `userId`.
import type { SessionData as _SessionData } from 'express-session'
// Opts in to `req.session.userId` (published as `express-authcode/express-session`).
import type {} from '../types/express-session.js'

/** How a visitor can sign in to the app. */
export type SignInMethod = 'the sign-in page' | 'a magic link' | 'a passcode'

declare module 'express-session' {
  interface SessionData {
    /** How the visitor signed in, shown on the home page. */
    signedInVia?: SignInMethod
    /** When the visitor signed in (epoch seconds), for `prompt=login` and `max_age`. */
    signedInAt?: number
    /** The demo OAuth client's pending authorization request. */
    pendingAuthorization?: { state: string; codeVerifier: string }
    /** The demo OAuth client's refresh token, and the one it spent last (for the replay demo). */
    demoTokens?: { refreshToken: string; spent?: string }
    /** The Capture demo's refresh token, which the CRM's server would keep. */
    captureRefreshToken?: string
  }
}

export type SessionData = _SessionData
