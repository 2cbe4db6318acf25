import { MAGIC_PATH } from '../auth.js'
import { html } from '../html.js'

/** The passcode form: the address it was sent to (asked for when unknown), and the six digits. */
export function passcodeForm(email: string) {
  return html`<form method="post" action="${MAGIC_PATH}/code" class="stack" id="passcode-form">
    <p>The link does not open here? Type the code from the e-mail on this page.</p>
    ${
      email
        ? html`<input type="hidden" name="email" value="${email}" />`
        : html`<label for="passcode-email">Your e-mail address</label>
            <input id="passcode-email" name="email" type="email" required autocomplete="email" />`
    }
    <label for="otp">The 6-digit code</label>
    <input id="otp" name="otp" required inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" />
    <button id="otp-sign-in">Sign in with the code</button>
  </form>`
}
