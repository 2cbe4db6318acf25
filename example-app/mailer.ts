import nodemailer, { type Transporter } from 'nodemailer'
import type { AuthcodeEvent } from '../lib/index.js'
import { escapeHtml } from './html.js'
import { userById } from './users.js'

/** An e-mail as the dev mailbox shows it. */
export interface SentMail {
  id: string
  to: string
  subject: string
  text: string
  sentAt: Date
}

const MAILBOX_SIZE = 50
const FROM = 'express-authcode example <no-reply@example.com>'

/**
 * Outgoing mail. With an SMTP URL it is delivered there; without, nodemailer's JSON
 * transport renders each message and the newest ones are kept for the dev mailbox page.
 */
export class Mailer {
  readonly #transport: Transporter
  readonly #kept: SentMail[] = []
  /** True when mail goes to the dev mailbox rather than an SMTP server. */
  readonly devMailbox: boolean

  constructor(smtpUrl?: string) {
    this.devMailbox = !smtpUrl
    this.#transport = smtpUrl ? nodemailer.createTransport(smtpUrl) : nodemailer.createTransport({ jsonTransport: true })
  }

  /** What the dev mailbox holds, newest first. */
  get sent(): readonly SentMail[] {
    return this.#kept
  }

  async send(message: { to: string; subject: string; text: string; html: string }): Promise<void> {
    const info = await this.#transport.sendMail({ from: FROM, ...message })
    if (!this.devMailbox) return
    this.#kept.unshift({ id: String(info.messageId), to: message.to, subject: message.subject, text: message.text, sentAt: new Date() })
    this.#kept.length = Math.min(this.#kept.length, MAILBOX_SIZE)
  }

  close(): void {
    this.#transport.close()
  }
}

/**
 * The `authorization.CodeIssued` handler: e-mails a magic link, and its passcode when there is
 * one, to the user the code was issued for. It runs before `POST /codes` stores the code; if it
 * throws, the code is never stored and the caller gets a 5xx, so no code exists that was never
 * delivered.
 */
export function sendMagicLinkEmail(mailer: Mailer) {
  return async ({ data }: AuthcodeEvent<'authorization.CodeIssued'>): Promise<void> => {
    if (data.kind !== 'magic_link' || !data.magicLink) return
    const user = userById(data.subject)
    if (!user) throw new Error('no e-mail address for this user')
    const minutes = Math.round((data.expiresAt.getTime() - Date.now()) / 60_000)
    const link = data.magicLink
    const passcode = data.otp
      ? `Or type ${data.otp} on the page where you asked for it (on a phone, or where the link does not open).\n\n`
      : ''
    await mailer.send({
      to: user.email,
      subject: 'Your magic link',
      text: `Hello ${user.name},\n\nOpen this magic link to sign in. It works once, in the browser where you asked for it, and expires in ${minutes} minutes:\n\n${link}\n\n${passcode}If you did not ask for it, ignore this e-mail.\n`,
      html:
        `<p>Hello ${escapeHtml(user.name)},</p><p><a href="${escapeHtml(link)}">Sign in</a> (works once, in the browser where you asked, expires in ${minutes} minutes).</p>` +
        (data.otp ? `<p>Or type <strong>${escapeHtml(data.otp)}</strong> on the page where you asked for it.</p>` : ''),
    })
  }
}
