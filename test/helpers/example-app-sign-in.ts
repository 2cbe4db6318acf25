import { expect } from 'chai'
import type { RunningExampleApp } from '../../example-app/start.js'
import { Browser } from './browser.js'

/** What the user saw and where the browser was sent at the end of {@link signInOnExampleApp}. */
export interface SignedIn {
  /** The consent page's HTML, when the client asked for one. */
  consentPage?: string
  /** Where the router sent the browser back to the client: its redirect URI with the code (or error). */
  redirect: URL
}

/**
 * The user's part, in a cookie-keeping browser that follows no redirect by itself: open the
 * authorization URL, sign in as Grace Hopper on the example app's sign-in page and, when the
 * router sends the browser to the consent page, look at it and approve the client there.
 */
export async function signInOnExampleApp(app: RunningExampleApp, authorizationUrl: URL): Promise<SignedIn> {
  const browser = new Browser(app.url)
  const toLogin = await browser.get(authorizationUrl.pathname + authorizationUrl.search)
  expect(toLogin.status).to.equal(303)
  const login = new URL(toLogin.headers.location as string, app.url)
  expect(login.pathname).to.equal('/login')
  const signedIn = await browser.post('/login', { user_id: 'user-grace', return_to: login.searchParams.get('return_to') as string })
  let toClient = await browser.follow(signedIn)
  expect(toClient.status).to.equal(303)
  const next = new URL(toClient.headers.location as string, app.url)
  let consentPage: string | undefined
  if (next.origin === app.url && next.pathname === '/consent') {
    const page = await browser.follow(toClient)
    expect(page.status).to.equal(200)
    consentPage = page.text
    toClient = await browser.follow(await browser.post('/consent', { ...Object.fromEntries(next.searchParams), decision: 'allow' }))
    expect(toClient.status).to.equal(303)
  }
  return { ...(consentPage === undefined ? {} : { consentPage }), redirect: new URL(toClient.headers.location as string) }
}
