/** Parameters of a form body or query: each name at most once, empty values dropped. */
export type FormParams = Partial<Record<string, string>>

/** One parameter as the request carried it, decoded, an empty value included. */
export type SentParam = readonly [name: string, value: string]

/** Parameters read from `application/x-www-form-urlencoded` text, and the names given more than once. */
export interface ParsedParams {
  params: FormParams
  /** Names that appeared more than once with a value; their `params` entry holds the first. */
  repeated: string[]
  /** Every value of each name the caller said may repeat, in order. */
  lists: Partial<Record<string, string[]>>
  /** Every parameter in the order sent, empty values and repeats included (what a request signature covers). */
  sent: SentParam[]
}

/**
 * Reads `application/x-www-form-urlencoded` text (a form body or a query string). A parameter
 * without a value counts as omitted; a name given more than once is reported in `repeated`,
 * unless it is one of `multi` (such as RFC 8707's `resource`), whose values are all in `lists`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
export function parseParams(text: string, multi: readonly string[] = []): ParsedParams {
  const params: FormParams = Object.create(null)
  const lists: ParsedParams['lists'] = Object.create(null)
  const repeated = new Set<string>()
  const sent: SentParam[] = [...new URLSearchParams(text)]
  for (const [name, value] of sent) {
    if (value === '') continue
    if (multi.includes(name)) (lists[name] ??= []).push(value)
    else if (params[name] === undefined) params[name] = value
    else repeated.add(name)
  }
  return { params, repeated: [...repeated], lists, sent }
}

/** The query string of a request URL, as sent (Express's parsed `req.query` could merge repeats or build objects). */
export function rawQuery(url: string): string {
  const start = url.indexOf('?')
  return start < 0 ? '' : url.slice(start + 1)
}

/** A parameter name fit to echo in an error description (RFC 6749 §5.2 allows only printable ASCII). */
export function safeName(name: string): string {
  return /^[A-Za-z0-9_.-]{1,40}$/.test(name) ? name : '(unnamed)'
}
