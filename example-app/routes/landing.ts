import type { Request, Response, Router } from 'express'
import type { AuthcodeRouter, LandingPage } from '../../lib/index.js'
import { MAGIC_PATH } from '../auth.js'
import { html } from '../html.js'
import { sendPage } from '../layout.js'
import { signIn } from './login.js'

/**
 * The page the e-mailed link opens (`magicLinkUrl`), mounted at {@link MAGIC_PATH}: express-authcode's
 * landing page, in the app's look. Opening the link spends nothing (mail scanners open links
 * too); the Sign-in button does, in the browser that asked for the link.
 */
export function landingPage(auth: AuthcodeRouter): Router {
  return auth.magicLinkLanding({
    signIn: async (grant, req, res) => {
      await signIn(req, grant.subject, 'a magic link')
      res.redirect(303, '/')
    },
    renderPage,
  })
}

function renderPage(page: LandingPage, req: Request, res: Response): void {
  const status = res.statusCode
  switch (page.name) {
    case 'confirm':
      return sendPage(
        req,
        res,
        'Finish signing in',
        html`<p>You opened a sign-in link. Press the button to sign in on this device.</p>
          <form method="post" action="${page.form.action}">
            ${Object.entries(page.form.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
            <button id="magic-sign-in">Sign in</button>
          </form>`,
        status,
      )
    case 'other-browser':
      return sendPage(
        req,
        res,
        'Open this link where you asked for it',
        html`<div class="notice" id="other-browser">
            This sign-in link was asked for in another browser, and for your safety it works only there. Nothing was used up.
          </div>
          <h2>On the device where you asked</h2>
          <p>
            The page there is waiting for the 6-digit code from the same e-mail: type it there (or open the link in that browser). You can
            also open <a href="${MAGIC_PATH}/code">Type your code</a> on that device.
          </p>
          <h2>Or sign in on this device</h2>
          <p>Ask for a new link here; it will work in this browser.</p>
          <p><a class="button" href="/magic-link">E-mail me a new link</a></p>`,
        status,
      )
    case 'used':
      return sendPage(
        req,
        res,
        'This link no longer works',
        html`<div class="notice bad">The sign-in link has expired or was already used.</div>
          <p><a class="button" href="/magic-link">Get a new link</a></p>`,
        status,
      )
    case 'error':
      return sendPage(
        req,
        res,
        status >= 500 ? 'Something went wrong' : status === 403 ? 'Open the link again' : 'Sign-in link incomplete',
        html`<div class="notice bad">
            ${
              status >= 500
                ? 'The server could not finish signing you in. Open the link again in a moment.'
                : status === 403
                  ? 'This page expired. Open the sign-in link from the e-mail again, in this browser, and press the button.'
                  : 'This link is not complete. Open the whole link from the e-mail.'
            }
          </div>
          <p><a class="button" href="/magic-link">Get a new link</a></p>`,
        status,
      )
  }
}
