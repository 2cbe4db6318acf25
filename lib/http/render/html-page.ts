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
