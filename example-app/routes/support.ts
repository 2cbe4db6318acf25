import { Router } from 'express'
import type { AuthcodeRouter } from '../../lib/index.js'
import { afterPostPage, showAfterPost } from '../after-post.js'
import { html } from '../html.js'
import { sendPage } from '../layout.js'
import { userByEmail, userById } from '../users.js'

/** Where a revocation's answer is shown (post-redirect-get): a reload revokes nothing again. */
const RESULT_PATH = '/support/result'

/**
 * `/support`: what a support agent does when a user reports a phishing mail, or a sign-in e-mail
 * that went astray: revoke every live link and passcode of that user (`auth.revokeCodes()`).
 * A real app would let only its support staff in; here, anyone signed in.
 */
export function supportRoutes(auth: AuthcodeRouter): Router {
  const router = Router()
  // Every support page, and its POST, for someone signed in.
  router.use('/support', (req, res, next) => (userById(req.session.userId) ? next() : res.redirect(303, '/login?return_to=%2Fsupport')))

  router.get('/support', (req, res) => {
    sendPage(req, res, 'Support: revoke magic links', revokeForm())
  })

  router.post('/support', async (req, res) => {
    const user = userByEmail(req.body?.email)
    if (!user) {
      return showAfterPost(
        req,
        res,
        RESULT_PATH,
        'Support: revoke magic links',
        html`<div class="notice bad">No user has that address.</div>
          ${revokeForm()}`,
      )
    }
    const count = await auth.revokeCodes({ subject: user.id })
    showAfterPost(
      req,
      res,
      RESULT_PATH,
      'Support: revoke magic links',
      html`<div class="notice ok" id="revoked">
          ${
            count === 0
              ? `${user.name} had no live magic links.`
              : `Revoked ${count} magic ${count === 1 ? 'link' : 'links'} of ${user.name}, with their codes.`
          }
        </div>
        ${revokeForm()}`,
    )
  })

  router.get(RESULT_PATH, afterPostPage(RESULT_PATH, '/support'))

  return router
}

function revokeForm() {
  return html`<p>
      A user reports a sign-in e-mail they did not ask for? Revoke every link and 6-digit code they hold: they stop working at once,
      and a link used before is still reported if it comes back.
    </p>
    <form method="post" action="/support" class="stack">
      <label for="support-email">The user's e-mail address</label>
      <input id="support-email" name="email" type="email" required />
      <button id="support-revoke">Revoke their magic links</button>
    </form>`
}
