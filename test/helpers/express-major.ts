// Loaded by mocha and by every worker process before any test module. With EXPRESS_MAJOR=4,
// every `express` and `express/<subpath>` resolves to Express 4 (the `express4` npm alias), so
// the whole suite runs unchanged against either major: ESM imports through a resolve hook, and
// CommonJS requires (tsx loads test files through them) through the CommonJS resolver.
import Module, { register } from 'node:module'

const resolver = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string }

if (process.env.EXPRESS_MAJOR === '4') {
  register('./express-major-hooks.mjs', import.meta.url)
  const resolveFilename = resolver._resolveFilename
  resolver._resolveFilename = function (request, ...rest) {
    const mapped = request === 'express' || request.startsWith('express/') ? `express4${request.slice('express'.length)}` : request
    return resolveFilename.call(this, mapped, ...rest)
  }
}
