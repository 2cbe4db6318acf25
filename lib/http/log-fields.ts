import type { Request } from 'express'

/** An error as log fields: its name and stack frames only, since a message (which may run over several lines) can carry a code or a secret. */
export function loggable(err: unknown): { name: string; stack?: string } {
  if (!(err instanceof Error)) return { name: typeof err }
  return {
    name: err.name,
    stack: (err.stack ?? '')
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .join('\n'),
  }
}

/** The route a request was answered on, `METHOD /mount/path`, as log lines name it. */
export function endpointOf(req: Request): string {
  return `${req.method} ${req.baseUrl}${(req.route as { path?: string } | undefined)?.path ?? ''}`
}

/** The request's id as pino-http (`req.id`) or a proxy (`X-Request-Id`) set it, to correlate log lines. */
export function requestIdOf(req: Request): string | undefined {
  const id = (req as { id?: unknown }).id ?? req.get('X-Request-Id')
  return typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 128) : undefined
}
