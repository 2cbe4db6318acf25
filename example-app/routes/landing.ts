import type { Request, Response, Router } from 'express'
import type { AuthcodeRouter, LandingPage } from '../../lib/index.js'
import { hiddenInputs, html } from '../html.js'
import { sendPage } from '../layout.js'
import { sendIfSignedIn } from './already-signed-in.js'
import { signIn } from './login.js'
import { sendWaitingPage } from './waiting-page.js'

/**
 * The page the e-mailed link opens (`magicLinkUrl`), mounted at `MAGIC_PATH`: express-authcode's
 * landing page, in the app's look. Opening the link spends nothing (mail scanners open links
 * too); the Sign-in button does, in the browser that asked for the link. Opened on another
 * device, the link asks for the number the asking browser's waiting page shows (`crossDevice`).
 */
export function landingPage(auth: AuthcodeRouter): Router {
  return auth.magicLinkLanding({
    signIn: async (grant, req, res) => {
      await signIn(req, grant.subject, 'a magic link')
      delete req.session.magicLink
      // Post-redirect-get: Back then shows the link's page again, which says who is signed in (`used`).
      res.redirect(303, '/')
    },
    renderPage,
    crossDevice: true,
  })
}

const newLinkButton = html`<p><a class="button" href="/magic-link">E-mail me a new magic link</a></p>`

function renderPage(page: LandingPage, req: Request, res: Response): void {
  const status = res.statusCode
  switch (page.name) {
    case 'confirm':
      return sendPage(
        req,
        res,
        'Finish signing in',
        html`<p>You opened a magic link. Press the button to sign in on this device.</p>
          <form method="post" action="${page.form.action}">
            ${hiddenInputs(page.form.fields)}
            <button id="magic-sign-in">Sign in</button>
          </form>`,
        status,
      )
    case 'wait':
      return sendWaitingPage(req, res, page.wait && { ...page.wait, form: page.form }, status)
    case 'approve':
      if (page.cancelled) {
        return sendPage(
          req,
          res,
          'Sign-in cancelled',
          html`<div class="notice bad" id="approve-cancelled">
              That was not the number on the other device, so the sign-in was cancelled and this magic link no longer works. Nobody
              was signed in.
            </div>
            ${newLinkButton}`,
          status,
        )
      }
      return sendPage(
        req,
        res,
        'Approve the sign-in on your other device',
        html`<p>This magic link was asked for in another browser. To sign in there, type the number that browser's page shows.</p>
          <p class="notice" id="approve-warning">
            Type only a number you see yourself, on a device of your own: never one that somebody sent you or told you. Did you not
            ask for a link? Close this page.
          </p>
          <form method="post" action="${page.form.action}" class="stack" id="approve-form">
            ${hiddenInputs(page.form.fields)}
            <label for="approve-number">The 2-digit number shown where you asked</label>
            <input id="approve-number" name="number" required inputmode="numeric" pattern="[0-9]{2}" maxlength="2" autocomplete="off" />
            <button id="approve-sign-in">Sign in on the other device</button>
          </form>
          <p class="muted">This device stays signed out. One try: a wrong number cancels the sign-in.</p>
          <p class="muted">Or sign in on this device instead: <a href="/magic-link">e-mail me a new magic link here</a>.</p>`,
        status,
      )
    case 'approved':
      return sendPage(
        req,
        res,
        'Approved',
        html`<div class="notice ok" id="approved">The other device is signing in now. This device stays signed out: you can close this page.</div>`,
        status,
      )
    case 'other-browser':
      return sendPage(
        req,
        res,
        'Open this link where you asked for it',
        html`<div class="notice" id="other-browser">
            This magic link was asked for in another browser, and for your safety it works only there. Nothing was used up.
          </div>
          <h2>On the device where you asked</h2>
          <p>
            The page there is waiting for the 6-digit code from the same e-mail: type it there, or open the link in that browser.
          </p>
          <h2>Or sign in on this device</h2>
          <p>Ask for a new link here; it will work in this browser.</p>
          ${newLinkButton}`,
        status,
      )
    case 'used':
      // Back from the home page after signing in lands here: the signed-in user is not stuck.
      if (sendIfSignedIn(req, res, 'This magic link is used up')) return
      return sendPage(
        req,
        res,
        'This link no longer works',
        html`<div class="notice bad">The magic link has expired or was already used.</div>
          ${newLinkButton}`,
        status,
      )
    case 'error':
      // The waiting page's address is not in any e-mail: it comes from the form, after asking for a link.
      if (req.path.startsWith('/wait') && status === 400) {
        return sendPage(
          req,
          res,
          'This page is incomplete',
          html`<div class="notice bad" id="wait-incomplete">
              This waiting page's address is not complete. It is shown after asking for a magic link: ask again.
            </div>
            ${newLinkButton}`,
          status,
        )
      }
      return sendPage(
        req,
        res,
        status >= 500 ? 'Something went wrong' : status === 403 ? 'Open the link again' : 'Magic link incomplete',
        html`<div class="notice bad">
            ${
              status >= 500
                ? 'The server could not finish signing you in. Open the link again in a moment.'
                : status === 403
                  ? 'This page expired. Open the magic link from the e-mail again, in this browser, and press the button.'
                  : 'This link is not complete. Open the whole link from the e-mail.'
            }
          </div>
          ${newLinkButton}`,
        status,
      )
  }
}
