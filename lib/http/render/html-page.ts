import { hash } from 'node:crypto'

/** The look of the router's own pages: readable type, a blue button. */
export const BUILT_IN_STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1f2328}' +
  'button{font:inherit;padding:.6rem 1.4rem;border-radius:.4rem;border:0;background:#0b57d0;color:#fff;cursor:pointer}' +
  'input{font:inherit;font-size:1.5rem;width:3.5ch;padding:.3rem;margin:0 .6rem 0 0;text-align:center}' +
  '.number{font-size:3rem;font-weight:700;letter-spacing:.4rem;margin:1rem 0}'

/** No scripts, nothing from elsewhere; the one inline style allowed by its hash. */
export const BUILT_IN_CSP = `default-src 'none'; style-src 'sha256-${hash('sha256', BUILT_IN_STYLE, 'base64')}'; base-uri 'none'; frame-ancestors 'none'`

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * A self-contained HTML page (no scripts, nothing from elsewhere): `title` as its title and
 * heading, `text` as its paragraphs (both escaped), then `after`, HTML the caller built and
 * escaped itself; `style`, when given, inline in the head.
 */
export function htmlPage(title: string, text: readonly string[], { after = '', style }: { after?: string; style?: string } = {}): string {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${style === undefined ? '' : `<style>${style}</style>\n`}<h1>${escapeHtml(title)}</h1>
${text.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>\n`).join('')}${after}</html>
`
}
