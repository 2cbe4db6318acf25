import express, { type Express, type Request, type Response } from 'express'
import request from 'supertest'
import { authcode, InvalidGrantError, type AuthcodeRouter } from '../../lib/index.js'
import { kContext } from '../../lib/authcode.js'
import { LandingCookies } from '../../lib/endpoints/landing/cookies.js'
import type { AuthcodeContext } from '../../lib/options/context.js'
import type { AuthcodeOptions, Grant, LandingPage, MagicLinkLandingOptions } from '../../types/index.js'
import { MOUNT } from './app.js'
import { postCodes } from './codes.js'

/** The landing page's URL and path in the tests. */
export const LANDING_URL = 'https://shop.example.com/login/magic'
export const LANDING = '/login/magic'
/** The same landing page over plain http, as in local development: its cookies keep their plain names and its path. */
/** The landing page's path for `code`, as a magic link names it. */
export const landingLink = (code: string): string => `${LANDING}?code=${encodeURIComponent(code)}`

export const HTTP_LANDING_URL = 'http://localhost:3000/login/magic'

/** The landing cookies' names with an `https:` `magicLinkUrl`. */
export const CSRF_COOKIE = '__Host-authcode_csrf'
export const BINDING_COOKIE = '__Host-authcode_binding'

/** The value a landing cookie carries, without its MAC. */
export const unsealed = (cookie: string | undefined): string | undefined => cookie?.slice(0, cookie.lastIndexOf('.'))

/** The router's landing cookies (their server key), to make the tokens and cookies a test needs. */
export function landingCookiesOf(auth: AuthcodeRouter, url = LANDING_URL): LandingCookies {
  const ctx = (auth as unknown as Record<symbol, AuthcodeContext>)[kContext] as AuthcodeContext
  return new LandingCookies(new URL(url), ctx.engine.atRest)
}

/** A host app with the router, the landing page, and the host's own pages under it that bind the browser and take a passcode. */
export interface LandingHost {
  app: Express
  auth: AuthcodeRouter
  /** The grants `signIn` was called with. */
  signedIn: Grant[]
}

/**
 * Builds a host: `POST /login/magic/send` binds the browser and answers the challenge,
 * `GET /login/magic/verifier` answers `auth.browserVerifier()` (or `null`), `POST
 * /login/magic/code` redeems a passcode with the browser's verifier, and the landing page answers
 * `signIn` with 200 `{ signedIn: subject }`.
 */
export function landingHost(options: AuthcodeOptions, landing: Partial<MagicLinkLandingOptions> = {}): LandingHost {
  const app = express()
  app.set('trust proxy', 'loopback')
  const auth = authcode({ magicLinkUrl: LANDING_URL, ...options })
  const signedIn: Grant[] = []
  app.use(MOUNT, auth)
  app.post(`${LANDING}/send`, (req, res) => {
    res.json({ challenge: auth.bindBrowser(req, res) })
  })
  app.get(`${LANDING}/verifier`, (req, res) => {
    res.json({ verifier: auth.browserVerifier(req) ?? null })
  })
  app.post(`${LANDING}/code`, express.urlencoded({ extended: false }), async (req, res, next) => {
    try {
      const grant = await auth.redeemOtp({
        clientId: 'crm',
        subject: req.body.subject,
        otp: req.body.otp,
        codeVerifier: auth.browserVerifier(req),
      })
      res.json({ signedIn: grant.subject })
    } catch (err) {
      if (err instanceof InvalidGrantError) res.status(400).json({ error: err.description })
      else next(err)
    }
  })
  const signIn = (grant: Grant, _req: Request, res: Response) => {
    signedIn.push(grant)
    res.json({ signedIn: grant.subject })
  }
  app.use(LANDING, auth.magicLinkLanding({ signIn, ...landing }))
  return { app, auth, signedIn }
}

/** A browser: keeps the cookies it is sent (by name; the tests use one path) and sends them back, asking for HTML. */
export class TestBrowser {
  readonly cookies = new Map<string, string>()
  readonly setCookies: string[] = []

  constructor(readonly app: Express) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  #keep(res: request.Response): request.Response {
    const lines = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? []
    for (const line of lines) {
      this.setCookies.push(line)
      const pair = line.split(';')[0] as string
      const eq = pair.indexOf('=')
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    return res
  }

  #withCookies(req: request.Test): request.Test {
    return this.cookies.size > 0 ? req.set('Cookie', this.cookieHeader) : req
  }

  async get(path: string): Promise<request.Response> {
    return this.#keep(await this.#withCookies(request(this.app).get(path).set('Accept', 'text/html')))
  }

  async head(path: string): Promise<request.Response> {
    return this.#keep(await this.#withCookies(request(this.app).head(path).set('Accept', 'text/html')))
  }

  /** POSTs a form, with the request headers a browser would add (`Origin`, `Sec-Fetch-Site`) when given. */
  async post(path: string, form: string | Record<string, string>, headers: Record<string, string> = {}): Promise<request.Response> {
    const body = typeof form === 'string' ? form : new URLSearchParams(form).toString()
    const req = request(this.app).post(path).set('Accept', 'text/html').set(headers).type('form').send(body)
    return this.#keep(await this.#withCookies(req))
  }

  /** Asks the host for a bound link's challenge, as the host's "e-mail me a link" form does. */
  async bind(): Promise<string> {
    return (await this.post(`${LANDING}/send`, {})).body.challenge as string
  }
}

/** `POST /codes` for `subject`; resolves the code (and passcode when asked). */
export async function issueLink(app: Express, body: Record<string, unknown> = {}): Promise<{ code: string; otp?: string }> {
  const res = await postCodes(app, { external_user_id: 'user-42', ...body })
  if (res.status !== 201) throw new Error(`POST /codes answered ${res.status}: ${res.text}`)
  return res.body
}

/** The hidden fields of a built-in confirm page. */
export function formFields(html: string): Record<string, string> {
  return Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(([, n, v]) => [n, v]))
}

/** A `renderPage` that answers the page it was given as JSON with the status already set. */
export function jsonPages(seen: LandingPage[] = []) {
  return (page: LandingPage, _req: Request, res: Response) => {
    seen.push(page)
    res.json({ page, status: res.statusCode })
  }
}
