// What the example app keeps in its sessions, on top of express-authcode's `userId`.
import type { SessionData as _SessionData } from 'express-session'
import type { JWK } from 'jose'
import type { ShownAfterPost } from './after-post.js'
import type { CallResult } from './http-call.js'
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
    /**
     * The demo OAuth client's pending authorization request; in its PAR + DPoP variant, also the
     * private DPoP key (a JWK) the code is bound to and the answer of `/par`, shown at the callback.
     */
    pendingAuthorization?: { state: string; codeVerifier: string; dpopKey?: JWK; pushed?: CallResult }
    /**
     * The demo OAuth client's refresh token, and the one it spent last (for the replay demo); with
     * the DPoP key it is bound to, whose proof each refresh needs.
     */
    demoTokens?: { refreshToken: string; spent?: string; dpopKey?: JWK }
    /**
     * The sign-in e-mail this browser asked for last: the address (for the passcode form of the
     * waiting page), the passcode tries made here (the router answers every refused one alike),
     * and, for an address with no account, the waiting page this browser is shown in its place.
     */
    magicLink?: { email: string; tries: number; decoy?: { pending: string; number: string } }
    /** The page the last POST of a demo ended with, or the demo client's last callback (post-redirect-get). */
    shownAfterPost?: ShownAfterPost
    /** The authorization requests (`return_to`) the consent page was answered for, the last few. */
    consentAnswered?: string[]
    /** The Capture demo's refresh token, which the CRM's server would keep. */
    captureRefreshToken?: string
  }
}

export type SessionData = _SessionData
