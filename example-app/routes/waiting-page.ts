import type { Request, Response } from 'express'
import type { LandingForm, WaitingSignIn } from '../../lib/index.js'
import { hiddenInputs, html } from '../html.js'
import { devRoutesOn, sendPage } from '../layout.js'
import { SCRIPTED_PAGE_CSP } from '../security-headers.js'
import { sendIfSignedIn } from './already-signed-in.js'
import { passcodeForm } from './passcode-form.js'

/** What the waiting page shows: the router's `wait` and its completion form (while the sign-in may still finish). */
export type WaitingView = WaitingSignIn & { form?: LandingForm<{ readonly pending: string; readonly csrf_token: string }> | undefined }

/**
 * "Check your e-mail", the page the browser that asked for a magic link waits on (`wait_url`):
 * the number to type where the link is opened on another device, polled by the router's
 * same-origin script until that device approves, and the passcode form. Without `view` (a browser
 * that did not ask) it shows no number. An address with no account gets this very page too.
 */
export function sendWaitingPage(req: Request, res: Response, view: WaitingView | undefined, status: number): void {
  if (!view) {
    return sendPage(
      req,
      res,
      'Open this page where you asked for the link',
      html`<div class="notice bad">This page belongs to the browser that asked for the magic link.</div>
        <p><a class="button" href="/magic-link">E-mail me a magic link</a></p>`,
      status,
    )
  }
  // Signed in meanwhile (the link in another tab, the passcode, Back after finishing): not a dead end.
  if (view.status === 'expired' && sendIfSignedIn(req, res, 'This sign-in is finished')) return
  if (view.status === 'cancelled' || view.status === 'expired') {
    const cancelled = view.status === 'cancelled'
    return sendPage(
      req,
      res,
      cancelled ? 'Sign-in cancelled' : 'This sign-in has ended',
      html`<div class="notice bad" id="wait-${view.status}">
          ${
            cancelled
              ? 'A wrong number was typed on the other device, so this sign-in was cancelled and its magic link no longer works.'
              : 'The magic link expired, was used, or was revoked.'
          }
        </div>
        <p><a class="button" href="/magic-link">E-mail me a new magic link</a></p>`,
      status,
    )
  }
  // The router's poller, a same-origin script: this page alone may run it and call the status URL.
  res.set('Content-Security-Policy', SCRIPTED_PAGE_CSP)
  const { form } = view
  const email = req.session.magicLink?.email ?? ''
  sendPage(
    req,
    res,
    'Check your e-mail',
    html`<div class="notice ok">
        If an account uses that address, a magic link and a 6-digit code are on their way. They work for 10 minutes, once.
      </div>
      <section class="approval">
        <h2>Opening the link on another device, like your phone?</h2>
        <p>It will ask for this number:</p>
        <p class="approval-number" id="approval-number">${view.number}</p>
        ${
          form &&
          html`<form method="post" action="${form.action}" data-authcode-status="${view.statusUrl}" id="wait-form">
              ${hiddenInputs(form.fields)}
              <p class="muted" id="wait-status">
                ${
                  view.status === 'approved'
                    ? 'The number was typed there: press continue if this page does not sign you in by itself.'
                    : 'Not approved yet: nobody has typed the number on the other device. This page signs you in by itself once it is.'
                }
              </p>
              <button class="secondary" id="wait-continue">I typed it: continue</button>
            </form>
            <script src="${view.scriptUrl}" defer></script>`
        }
      </section>
      ${passcodeForm(email)}
      ${
        devRoutesOn(req)
          ? html`<p>
              <!-- A tab of its own, so that this page, where the code is typed, stays open. -->
              <a class="button secondary" href="/mailbox" target="_blank" rel="noopener">Open the dev mailbox</a> (in a new tab)
            </p>`
          : ''
      }`,
    status,
  )
}
