/** A finished HTTP call, as the demo pages show it. */
export interface CallResult {
  method: 'POST'
  url: string
  status: number
  body: unknown
  /** The answer's `Retry-After` in seconds, when it has one (a 429 or 503). */
  retryAfter?: number
}

/** Options of {@link post}. */
export interface PostOptions {
  /** JSON body (sent as `application/json`) or form fields (sent as `application/x-www-form-urlencoded`). */
  json?: unknown
  form?: Record<string, string>
  headers?: Record<string, string>
}

/** POSTs the way a back-end service does and parses the answer; never throws for an HTTP error status. */
export async function post(url: string, { json, form, headers = {} }: PostOptions): Promise<CallResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': json === undefined ? 'application/x-www-form-urlencoded' : 'application/json',
      ...headers,
    },
    body: json === undefined ? new URLSearchParams(form).toString() : JSON.stringify(json),
    signal: AbortSignal.timeout(5000),
  })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: keep the text
  }
  const retryAfter = Number(response.headers.get('retry-after') ?? NaN)
  return { method: 'POST', url, status: response.status, body, ...(Number.isFinite(retryAfter) ? { retryAfter } : {}) }
}

/** The refresh token of a successful token endpoint answer, if it carries one. */
export function refreshTokenOf(call: CallResult | undefined): string | undefined {
  const token = (call?.body as { refresh_token?: unknown } | null | undefined)?.refresh_token
  return call?.status === 200 && typeof token === 'string' ? token : undefined
}
