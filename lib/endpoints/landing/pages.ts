import type { Request, Response } from 'express'
import type { LandingPage, LandingPageName, MagicLinkLandingOptions } from '../../../types/landing.js'
import { renderBuiltInLanding } from './built-in-pages.js'

/** The status each page answers with, unless the error that led to it, or the page's state, has its own. */
const STATUS: Record<LandingPageName, number> = {
  confirm: 200,
  'other-browser': 403,
  used: 410,
  error: 400,
  wait: 200,
  approve: 200,
  approved: 200,
}

/**
 * Answers with `page`: the host's `renderPage` when given, else the built-in page. The status is
 * set first, so the host's page can read it (`res.statusCode`).
 */
export async function showPage(
  renderPage: MagicLinkLandingOptions['renderPage'],
  page: LandingPage,
  req: Request,
  res: Response,
  status = STATUS[page.name],
): Promise<void> {
  res.status(status)
  if (renderPage) await renderPage(page, req, res)
  else renderBuiltInLanding(page, res)
}

/** {@link showPage} for one request: what each handler of the landing page answers with. */
export function pageShower(renderPage: MagicLinkLandingOptions['renderPage'], req: Request, res: Response) {
  return (page: LandingPage, status?: number) => showPage(renderPage, page, req, res, status)
}
