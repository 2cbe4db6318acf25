import { hash } from 'node:crypto'
import type { Response } from 'express'
import type { LandingPage } from '../../../types/landing.js'
import { escapeHtml, htmlPage } from '../../http/render/html-page.js'

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1f2328}' +
  'button{font:inherit;padding:.6rem 1.4rem;border-radius:.4rem;border:0;background:#0b57d0;color:#fff;cursor:pointer}'

/** No scripts, nothing from elsewhere; the one inline style allowed by its hash. */
const BUILT_IN_CSP = `default-src 'none'; style-src 'sha256-${hash('sha256', STYLE, 'base64')}'; base-uri 'none'; frame-ancestors 'none'`

/** What each page says: its title and its text. */
function wordsOf(page: LandingPage, status: number): [string, string] {
  switch (page.name) {
    case 'confirm':
      return ['Finish signing in', 'You opened a sign-in link. Press the button to sign in on this device.']
    case 'other-browser':
      return [
        'Open this link where you asked for it',
        'This sign-in link works only in the browser it was asked from. On that device, type the passcode from the e-mail, ' +
          'or open the link there. To sign in on this device instead, ask for a new link here.',
      ]
    case 'used':
      return ['This link no longer works', 'It was already used, or it has expired. Ask for a new sign-in link.']
    case 'error':
      if (status >= 500) return ['Sign-in is briefly unavailable', 'Open the link from the e-mail again in a moment.']
      if (status === 403) return ['Open the link again', 'This page expired. Open the sign-in link from the e-mail again, in this browser.']
      return ['This sign-in link is not valid', 'Open the whole link from the e-mail, or ask for a new one.']
  }
}

/**
 * The plain page of the landing, for hosts without `renderPage`: nothing from the request in it
 * but the confirm form's hidden fields, HTML-escaped.
 */
export function renderBuiltInLanding(page: LandingPage, res: Response): void {
  const [title, text] = wordsOf(page, res.statusCode)
  const form = page.form
    ? `<form method="post" action="${escapeHtml(page.form.action)}">
${Object.entries(page.form.fields)
  .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
  .join('\n')}
<button>Sign in</button>
</form>
`
    : ''
  res.append('Content-Security-Policy', BUILT_IN_CSP)
  res.setHeader('Content-Type', 'text/html; charset=utf-8')
  res.end(htmlPage(title, [text], { after: form, style: STYLE }))
}
