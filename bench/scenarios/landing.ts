import { authcodeHost, issue, LANDING, LANDING_URL } from '../hosts/authcode-host.js'
import { prepareCodes, type Scenario } from '../scenario.js'

/** How many codes the target issues at once while preparing (node-redis pipelines them). */
const BATCH = 500

/**
 * The magic-link landing page's `POST` (`auth.magicLinkLanding()`, SPEC §3.5b), the confirm
 * button: each pre-issued magic-link code posted once with its CSRF token, from one browser
 * (one CSRF cookie, set by the landing page's `GET`), with the headers a browser sends on a
 * same-origin form POST. The host's `signIn` answers 303.
 */
export const landing: Scenario = {
  name: 'POST /login/magic',
  probe: { method: 'POST', path: LANDING },
  expectStatus: 303,
  consumesCodes: true,
  async serve(redis, hosts) {
    const { csrfToken } = await import('../../lib/endpoints/landing/csrf.js')
    const { landingCookiesOf, unsealed } = await import('../../test/helpers/landing.js')
    const { app, auth } = authcodeHost(redis, { ...hosts, landing: true })
    const magicLink = () =>
      issue(auth, { kind: 'magic_link', clientId: 'crm', redirectUri: undefined, codeChallenge: undefined, ttlSeconds: 900 })
    const cookies = landingCookiesOf(auth, LANDING_URL)
    let cookie: string | undefined
    return {
      app,
      prepare: async (count, origin) => {
        // The browser's CSRF cookie, as the landing page's GET sets it for a live link.
        if (!cookie) {
          const response = await fetch(`${origin}${LANDING}?code=${encodeURIComponent(await magicLink())}`, {
            headers: { accept: 'text/html' },
          })
          await response.arrayBuffer()
          cookie = response.headers
            .getSetCookie()
            .find((line) => line.startsWith(cookies.nameOf('authcode_csrf')))
            ?.split(';')[0]
          if (response.status !== 200 || !cookie)
            throw new Error(`the landing page's GET answered ${response.status} without a CSRF cookie`)
        }
        const secret = unsealed(cookie.slice(cookie.indexOf('=') + 1)) as string
        const { codes = [] } = await prepareCodes(count, BATCH, magicLink)
        return {
          cookie,
          codes: codes.map((code) => new URLSearchParams({ code, csrf_token: csrfToken(cookies, secret, code) }).toString()),
        }
      },
    }
  },
  requests({ cookie = '', codes = [] }) {
    const origin = new URL(LANDING_URL).origin
    let next = 0
    return [
      {
        method: 'POST',
        path: LANDING,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie,
          origin,
          'sec-fetch-site': 'same-origin',
          accept: 'text/html',
        },
        setupRequest: (request) => ({ ...request, body: codes[next++] ?? 'code=exhausted-the-prepared-codes' }),
      },
    ]
  },
}
