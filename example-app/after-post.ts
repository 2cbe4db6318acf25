import type { Request, RequestHandler, Response } from 'express'
import { SafeHtml } from './html.js'
import { sendPage } from './layout.js'

/** A page a POST ended with, kept in the session for the GET that shows it: its HTML, already escaped. */
export interface ShownAfterPost {
  path: string
  title: string
  body: string
}

/**
 * Post-redirect-get for the demo pages whose POST does something (a signed call, a refresh, a
 * revocation): the page is kept in the session and the browser sent to `path` with a 303, so a
 * reload or Back shows that page again and repeats nothing. The GET answers 200 whatever the
 * POST's outcome: it shows the outcome, and the page says what went wrong.
 */
export function showAfterPost(req: Request, res: Response, path: string, title: string, body: SafeHtml): void {
  req.session.shownAfterPost = { path, title, body: body.value }
  res.redirect(303, path)
}

/** Whether the session holds a page a POST ended with at `path`. */
export function shownAt(req: Request, path: string): boolean {
  return req.session.shownAfterPost?.path === path
}

/** `GET path`: the page the last POST ended with there; without one, a 303 to `otherwise`, or `otherwise` itself when a handler. */
export function afterPostPage(path: string, otherwise: string | RequestHandler): RequestHandler {
  return (req, res, next) => {
    const shown = req.session.shownAfterPost
    if (shown?.path !== path) return typeof otherwise === 'string' ? res.redirect(303, otherwise) : otherwise(req, res, next)
    // Built by html`` before it was kept in this server-side session: already escaped.
    sendPage(req, res, shown.title, new SafeHtml(shown.body))
  }
}
