import { Router } from 'express'
import { html } from '../html.js'
import { sendPage } from '../layout.js'
import type { Mailer } from '../mailer.js'

const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/g

/** `GET /mailbox`: the e-mails the app sent, for development without an SMTP server. */
export function mailboxRoutes(mailer: Mailer): Router {
  const router = Router()
  router.get('/mailbox', (req, res) => {
    if (!mailer.devMailbox) {
      return sendPage(
        req,
        res,
        'Mailbox',
        html`<div class="notice">Mail is delivered by SMTP (<code>SMTP_URL</code>); look in the recipient's inbox.</div>`,
      )
    }
    const mails = mailer.sent
    sendPage(
      req,
      res,
      'Dev mailbox',
      html` <p class="muted">
          Development only: what the <code>authorization.CodeIssued</code> handler sent, newest first, kept in this process's memory
          (nodemailer JSON transport). Set <code>SMTP_URL</code> to deliver real mail.
        </p>
        ${mails.length === 0 ? html`<div class="notice">No e-mails yet. <a href="/magic-link">Ask for a magic link</a>.</div>` : ''}
        ${mails.map(
          (mail) =>
            html` <article class="mail">
              <dl>
                <dt>To</dt>
                <dd>${mail.to}</dd>
                <dt>Subject</dt>
                <dd>${mail.subject}</dd>
                <dt>Sent</dt>
                <dd><time datetime="${mail.sentAt.toISOString()}">${sentWhen(mail.sentAt)}</time></dd>
              </dl>
              <pre>${mail.text}</pre>
              ${(mail.text.match(URL_IN_TEXT) ?? []).map((url) => html`<a class="button mail-link" href="${url}">Open the link</a>`)}
            </article>`,
        )}`,
    )
  })
  return router
}

/** When a mail was sent, for people: how long ago, and the time of day (UTC, as the server has no idea of the reader's zone). */
function sentWhen(sentAt: Date, now = new Date()): string {
  const seconds = Math.max(0, Math.round((now.getTime() - sentAt.getTime()) / 1000))
  const ago = seconds < 60 ? 'just now' : seconds < 3600 ? `${Math.floor(seconds / 60)} min ago` : `${Math.floor(seconds / 3600)} h ago`
  return `${ago}, at ${sentAt.toISOString().slice(11, 19)} UTC`
}
