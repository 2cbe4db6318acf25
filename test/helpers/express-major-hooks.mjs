// Module resolution hook: `express` and `express/<subpath>` resolve to the `express4` alias.
export async function resolve(specifier, context, next) {
  if (specifier === 'express' || specifier.startsWith('express/')) return next(`express4${specifier.slice('express'.length)}`, context)
  return next(specifier, context)
}
