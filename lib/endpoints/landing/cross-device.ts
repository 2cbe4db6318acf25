import type { Request } from 'express'
import type { AtRest } from '../../engine/at-rest.js'
import { s256 } from '../../engine/pkce.js'
import { safeEqual } from '../../engine/timing-safe.js'
import { parseParams, rawQuery } from '../../http/params.js'
import type { BrowserBinding } from './binding.js'

/** A `pending` value: the code's id (24 characters), a dot, and a MAC of it and the challenge under a server key. */
const PENDING = /^([A-Za-z0-9_-]{24})\.[A-Za-z0-9_-]{43}$/

/** A pending sign-in, named by the browser that asked for it. */
export interface Pending {
  /** The `pending` value, as sent. */
  token: string
  /** The code's id: what the store keeps the code and its approval under. */
  id: string
  /** The browser's binding verifier, and its challenge (the code's). */
  verifier: string
  challenge: string
}

/**
 * Cross-device approval (SPEC §3.5c): where its pages are (under the landing page's path, which
 * the landing cookies reach), and the `pending` value of `wait_url`. That value names the code by
 * its id (a hash of the code, never the code) with a MAC under a server key of the id and the
 * code's challenge, so it holds only in the browser that asked: one whose binding verifier has
 * that challenge. Whoever else holds `wait_url` sees no number, no status and cannot finish.
 */
export class CrossDevice {
  /** `<path>/wait`: the waiting page (`GET`) and its completion (`POST`). */
  readonly waitPath: string
  /** `<path>/wait/status`: the status it polls. */
  readonly statusPath: string
  /** `<path>/wait.js`: the script that polls. */
  readonly scriptPath: string
  /** `<path>/approve`: where the number typed on the other device is posted. */
  readonly approvePath: string
  #on = false

  constructor(
    readonly binding: BrowserBinding,
    private readonly atRest: AtRest,
  ) {
    const base = binding.path.replace(/\/+$/, '')
    this.waitPath = `${base}/wait`
    this.statusPath = `${base}/wait/status`
    this.scriptPath = `${base}/wait.js`
    this.approvePath = `${base}/approve`
  }

  /** Turns it on, for `POST /codes` too: `magicLinkLanding({ crossDevice: true })` was built. */
  enable(): void {
    this.#on = true
  }

  /**
   * The `wait_url` of a code bound to `challenge`: `magicLinkUrl` (its query kept) at `/wait`,
   * with `pending`; the same for every answer of the code (an idempotent replay too). `undefined`
   * while cross-device approval is off.
   */
  waitUrlFor(code: string, challenge: string): string | undefined {
    if (!this.#on) return undefined
    const url = new URL(this.binding.url)
    url.pathname = this.waitPath
    url.searchParams.set('pending', this.#token(this.atRest.codeId(code), challenge))
    return url.href
  }

  /** The `pending` value a request carries in its query (`undefined` when missing, repeated or malformed). */
  tokenIn(req: Request): string | undefined {
    const { params, repeated } = parseParams(rawQuery(req.originalUrl))
    return repeated.includes('pending') ? undefined : wellFormed(params.pending)
  }

  /** The sign-in `token` names, when the request comes from the browser that asked for it. */
  pendingOf(req: Request, token: string): Pending | undefined {
    const id = PENDING.exec(token)?.[1]
    const verifier = this.binding.verifierOf(req)
    if (id === undefined || verifier === undefined) return undefined
    const challenge = s256(verifier)
    return safeEqual(token, this.#token(id, challenge)) ? { token, id, verifier, challenge } : undefined
  }

  #token(id: string, challenge: string): string {
    return `${id}.${this.binding.cookies.mac('pending', `${id}\0${challenge}`)}`
  }
}

/** `value` when it has the shape of a `pending` value. */
export function wellFormed(value: string | undefined): string | undefined {
  return value !== undefined && PENDING.test(value) ? value : undefined
}
