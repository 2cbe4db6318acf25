import type { Express } from 'express'
import request from 'supertest'

/** A cookie as the browser keeps it. */
export interface KeptCookie {
  value: string
  path: string
  /** The attributes as the server set them, lower-cased (`httponly`, `samesite=lax`, `max-age=600`, …). */
  attributes: string[]
}

/**
 * A browser as far as the `/authorize` round trips need one: it keeps cookies by name (sending
 * each only to its `Path`, forgetting a cleared one) and follows no redirect by itself, so a
 * test can look at, edit or replay a cookie between two steps.
 */
export class Browser {
  readonly cookies = new Map<string, KeptCookie>()

  /** `app`: an Express app, or the base URL of a listening server (e.g. one `startExampleApp` started). */
  constructor(readonly app: Express | string) {}

  async get(path: string): Promise<request.Response> {
    return this.#remember(await request(this.app).get(path).set('Cookie', this.#cookieHeader(path)))
  }

  async post(path: string, form: Record<string, string>): Promise<request.Response> {
    return this.#remember(await request(this.app).post(path).type('form').send(form).set('Cookie', this.#cookieHeader(path)))
  }

  /** Follows the `Location` of a 303 with a GET. */
  async follow(res: request.Response): Promise<request.Response> {
    if (res.status !== 303) throw new Error(`expected a 303 to follow, got ${res.status}`)
    return this.get(res.headers.location as string)
  }

  #cookieHeader(path: string): string {
    const pathname = path.split('?')[0] as string
    return [...this.cookies]
      .filter(([, cookie]) => pathname === cookie.path || pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ')
  }

  #remember(res: request.Response): request.Response {
    const set = res.headers['set-cookie'] as string[] | string | undefined
    for (const line of typeof set === 'string' ? [set] : (set ?? [])) {
      const [pair = '', ...rest] = line.split(';').map((part) => part.trim())
      const eq = pair.indexOf('=')
      const attributes = rest.map((attribute) => attribute.toLowerCase())
      const expired = attributes.some((a) => a === 'max-age=0' || /^expires=.*1970/.test(a))
      const name = pair.slice(0, eq)
      if (expired) this.cookies.delete(name)
      else {
        const path = rest.find((a) => /^path=/i.test(a))?.slice(5) ?? '/'
        this.cookies.set(name, { value: pair.slice(eq + 1), path, attributes })
      }
    }
    return res
  }
}
