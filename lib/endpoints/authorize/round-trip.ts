import type { Request, Response } from 'express'
import type { AtRest } from '../../engine/at-rest.js'
import { safeEqual } from '../../engine/timing-safe.js'
import { readCookie } from '../landing/cookies.js'

/** The cookie that remembers one authorization request's trips to the login and consent pages. */
export const ROUND_TRIP_COOKIE = 'authcode_authorize'

/** How long a trip to the login or consent page may take: the cookie lives as long, and an older mark in it counts for nothing. */
export const ROUND_TRIP_MAX_AGE_MS = 10 * 60_000

/** A mark a little ahead of this process's clock (another process's) still counts. */
const CLOCK_SKEW_MS = 60_000

/**
 * When the router sent one authorization request away (epoch milliseconds), to sign in and to
 * consent: what a sign-in or a decision must come after to answer `prompt=login`, `max_age`,
 * `prompt=consent` or a client that needs consent.
 */
export interface RoundTrip {
  login?: number
  consent?: number
}

/**
 * The request's path and query, relative to the host and never protocol-relative, exactly as
 * sent: the `return_to` of the login and consent pages.
 */
export function returnTo(req: Request): string {
  return `/${req.originalUrl.replace(/^[/\\]+/, '')}`
}

/**
 * What names one authorization request: its path and every query parameter, decoded, in the
 * order sent. Two URLs that differ only in how they percent-encode (a login page's redirect
 * may re-encode `return_to`) name the same request; any other difference names another one.
 */
export function requestKey(pathAndQuery: string): string {
  const start = pathAndQuery.indexOf('?')
  const [path, query] = start < 0 ? [pathAndQuery, ''] : [pathAndQuery.slice(0, start), pathAndQuery.slice(start + 1)]
  return JSON.stringify([path, [...new URLSearchParams(query)]])
}

/**
 * The round-trip cookie of `/authorize` (SPEC §3.3 step 3): when the router sent a request to
 * the login or consent page, kept where the browser cannot edit it (MACed under a server key
 * with the request it is for, so an edited cookie, a forged one, or one for another request
 * counts as none) and where the host's `req.session.regenerate()` at sign-in does not erase it.
 * `HttpOnly`, `SameSite=Lax` (top-level navigations back from the login page send it), `Secure`
 * and `__Secure-` with an `https:` issuer, `Path` of `/authorize`, ten minutes. One request at
 * a time: a browser cannot be made to pile up cookies, and a request whose mark was replaced by
 * another's is asked again.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export class RoundTrips {
  readonly #atRest: AtRest
  readonly #https: boolean
  readonly #path: string

  constructor(issuer: string, atRest: AtRest) {
    const url = new URL(issuer)
    this.#atRest = atRest
    this.#https = url.protocol === 'https:'
    this.#path = `${url.pathname.replace(/\/+$/, '')}/authorize`
  }

  /** The cookie's name: `__Secure-` on https, which no plain `http:` page can set. */
  get name(): string {
    return this.#https ? `__Secure-${ROUND_TRIP_COOKIE}` : ROUND_TRIP_COOKIE
  }

  /** The marks the browser holds for the request `key`; none when its cookie is missing, altered or for another request. */
  read(req: Request, key: string): RoundTrip | undefined {
    const [login, consent, mac, extra] = readCookie(req, this.name)?.split('.') ?? []
    if (login === undefined || consent === undefined || mac === undefined || extra !== undefined) return undefined
    if (!safeEqual(mac, this.#mac(key, `${login}.${consent}`))) return undefined
    const trip: RoundTrip = {}
    const loginAt = live(login)
    const consentAt = live(consent)
    if (loginAt !== undefined) trip.login = loginAt
    if (consentAt !== undefined) trip.consent = consentAt
    return trip
  }

  /** Remembers, for the request `key`, that it is being sent to `page` now (and keeps its earlier mark for the other page). */
  mark(req: Request, res: Response, key: string, trip: RoundTrip | undefined, page: keyof RoundTrip): void {
    const marks = { ...trip, [page]: Date.now() }
    const value = `${marks.login?.toString(36) ?? ''}.${marks.consent?.toString(36) ?? ''}`
    res.cookie(this.name, `${value}.${this.#mac(key, value)}`, { ...this.#attributes(req), maxAge: ROUND_TRIP_MAX_AGE_MS })
  }

  /** Ends the request's round trip (its code or its refusal went to the client): the marks answer nothing more. */
  clear(req: Request, res: Response): void {
    res.clearCookie(this.name, this.#attributes(req))
  }

  #attributes(req: Request) {
    return { httpOnly: true, sameSite: 'lax', secure: this.#https || req.secure, path: this.#path } as const
  }

  #mac(key: string, value: string): string {
    return this.#atRest.serverMac('express-authcode authorize round trip', `${key}\0${value}`)
  }
}

/** A mark (base 36 epoch milliseconds) young enough to count, else nothing. */
function live(text: string): number | undefined {
  if (!/^[0-9a-z]{1,10}$/.test(text)) return undefined
  const at = parseInt(text, 36)
  const now = Date.now()
  return at > now - ROUND_TRIP_MAX_AGE_MS && at <= now + CLOCK_SKEW_MS ? at : undefined
}
