import type { StoredAnswer } from '../../engine/idempotency.js'
import type { CodesBody } from './body.js'

/** The 201 body of a `POST /codes`, for a new code and for every replay of it. */
export interface CodesAnswer {
  code: string
  expires_in: number
  expires_at: string
  external_user_id: string
  magic_link?: string
  /** The one-time passcode, when the request asked for one. */
  otp?: string
  /** The waiting page of a bound code, with cross-device approval on (SPEC §3.5c); never the code. */
  wait_url?: string
}

/** Where the waiting page of a bound code is, when cross-device approval is on (`CrossDevice`). */
export interface WaitUrls {
  waitUrlFor(code: string, challenge: string): string | undefined
}

/**
 * The answer a code gets. A replay rebuilds it from what the key's record stored (the code and
 * its expiry) and the retried request's body, which is the one that was answered (its
 * fingerprint matched), so the record keeps no copy of the body; `wait_url` is derived from both
 * alike.
 */
export function codesAnswer(
  { code, expiresAt, otp }: StoredAnswer,
  body: CodesBody,
  magicLinkUrl: string | undefined,
  waits: WaitUrls | undefined,
): CodesAnswer {
  const waitUrl = body.code_challenge === undefined ? undefined : waits?.waitUrlFor(code, body.code_challenge)
  return {
    code,
    expires_in: body.ttl,
    expires_at: new Date(expiresAt).toISOString(),
    external_user_id: body.external_user_id,
    ...(magicLinkUrl === undefined ? {} : { magic_link: linkWithCode(magicLinkUrl, code) }),
    ...(otp === undefined ? {} : { otp }),
    ...(waitUrl === undefined ? {} : { wait_url: waitUrl }),
  }
}

/** `magicLinkUrl` with `code` added to its query; its other parameters are kept. */
export function linkWithCode(base: string, code: string): string {
  const url = new URL(base)
  url.searchParams.set('code', code)
  return url.href
}
