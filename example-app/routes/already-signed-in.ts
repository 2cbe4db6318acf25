import type { Request, Response } from 'express'
import { html } from '../html.js'
import { sendPage } from '../layout.js'
import { userById } from '../users.js'

/**
 * A spent magic link, or an ended sign-in, seen by someone who is signed in (Back after signing
 * in, a second tab): "You are signed in" and the way on, instead of a dead end, with a 200 (the
 * page is no error). Returns false, sending nothing, when nobody is signed in.
 */
export function sendIfSignedIn(req: Request, res: Response, ended: string): boolean {
  const user = userById(req.session?.userId)
  if (!user) return false
  sendPage(
    req,
    res,
    'You are signed in',
    html`<div class="notice ok" id="used-signed-in">${ended}, and you are signed in as ${user.name}.</div>
      <p><a class="button" href="/">Continue</a></p>`,
  )
  return true
}
