import type { Response } from 'express'
import type { LandingPage } from '../../../types/landing.js'
import { BUILT_IN_CSP, BUILT_IN_STYLE, escapeHtml, htmlPage } from '../../http/render/html-page.js'

/** The waiting page's: its poller, a same-origin script (`<path>/wait.js`), and the status it fetches. */
const WAITING_CSP = `${BUILT_IN_CSP}; script-src 'self'; connect-src 'self'`

const NEW_LINK = 'To sign in on this device instead, ask for a new link here.'

/** What each page says: its title and its paragraphs. */
function wordsOf(page: LandingPage, status: number): [string, ...string[]] {
  switch (page.name) {
    case 'confirm':
      return ['Finish signing in', 'You opened a magic link. Press the button to sign in on this device.']
    case 'other-browser':
      return [
        'Open this link where you asked for it',
        'This magic link works only in the browser it was asked from. On that device, type the passcode from the e-mail, ' +
          'or open the link there. To sign in on this device instead, ask for a new link here.',
      ]
    case 'approve':
      if (page.cancelled)
        return [
          'Sign-in cancelled',
          'That was not the number shown where the link was asked for, so nobody was signed in and this link no longer works. Ask for a new link.',
        ]
      return [
        'Approve the sign-in on your other device',
        'This link was asked for in another browser. If that was you, type the number that browser shows: it signs in there, and this device is not signed in. A wrong number cancels the sign-in.',
        // RFC 8628 §5.4: whoever asked could be someone else, who would then need this user to type their number.
        'Type only a number you see yourself, on a device of your own: never one that somebody sent you or told you.',
        NEW_LINK,
      ]
    case 'approved':
      return ['Sign-in approved', 'Go back to your other device: it signs in by itself in a moment. This device is not signed in.']
    case 'wait':
      return waitWords(page)
    case 'used':
      return ['This link no longer works', 'It was already used, or it has expired. Ask for a new magic link.']
    case 'error':
      if (status >= 500) return ['Sign-in is briefly unavailable', 'Open the link from the e-mail again in a moment.']
      if (status === 403) return ['Open the link again', 'This page expired. Open the magic link from the e-mail again, in this browser.']
      return ['This magic link is not valid', 'Open the whole link from the e-mail, or ask for a new one.']
  }
}

function waitWords(page: Extract<LandingPage, { name: 'wait' }>): [string, ...string[]] {
  switch (page.wait?.status) {
    case undefined:
      return ['Open this page where you asked for the link', 'This page works only in the browser that asked for the magic link.']
    case 'pending':
      return ['Check your e-mail', 'Open the magic link in this browser, or on another device. There, to sign in here, type this number:']
    case 'approved':
      return ['Signing you in', 'The sign-in was approved on your other device.']
    case 'cancelled':
      return ['Sign-in cancelled', 'A wrong number was typed on the other device, so the sign-in was cancelled. Ask for a new link.']
    case 'expired':
      return ['This sign-in is over', 'The link was used, or it has expired. Ask for a new magic link.']
  }
}

/** The page's form, its hidden fields HTML-escaped, and what goes with it. */
function formOf(page: LandingPage): string {
  if (!page.form) return ''
  const hidden = Object.entries(page.form.fields).map(
    ([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">\n`,
  )
  const action = escapeHtml(page.form.action)
  switch (page.name) {
    case 'confirm':
      return `<form method="post" action="${action}">\n${hidden.join('')}<button>Sign in</button>\n</form>\n`
    case 'approve':
      return `<form method="post" action="${action}">
${hidden.join('')}<label>Number <input name="number" inputmode="numeric" pattern="[0-9]{2}" maxlength="2" autocomplete="off" required></label>
<button>Approve</button>
</form>
`
    case 'wait': {
      const wait = page.wait
      if (!wait) return ''
      const number = wait.status === 'pending' ? `<p class="number">${escapeHtml(wait.number)}</p>\n` : ''
      // Without scripts, the page reloads itself while pending, and the button finishes once approved.
      const fallback = wait.status === 'pending' ? '<noscript><meta http-equiv="refresh" content="2"></noscript>\n' : ''
      return `${number}<form method="post" action="${action}" data-authcode-status="${escapeHtml(wait.statusUrl)}">
${hidden.join('')}<button>Continue</button>
</form>
<script src="${escapeHtml(wait.scriptUrl)}" defer></script>
${fallback}`
    }
  }
}

/**
 * The plain page of the landing, for hosts without `renderPage`: nothing from the request in it
 * but the forms' hidden fields, HTML-escaped. Only the waiting page runs a script, its own poller.
 */
export function renderBuiltInLanding(page: LandingPage, res: Response): void {
  const [title, ...text] = wordsOf(page, res.statusCode)
  const after = formOf(page)
  res.append('Content-Security-Policy', page.name === 'wait' && page.form ? WAITING_CSP : BUILT_IN_CSP)
  res.setHeader('Content-Type', 'text/html; charset=utf-8')
  res.end(htmlPage(title, text, { after, style: BUILT_IN_STYLE }))
}
