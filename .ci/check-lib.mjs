#!/usr/bin/env node
// Checks lib/ against the map lib/README.md gives of it: every folder, nested ones too, is one the
// map names; no import runs up a layer; the engine imports no Express; no file runs past the line
// limit; and public types live in types/ (lib/index.ts re-exports no type on its own, only beside
// the value it belongs to, and types/ names lib/'s classes as types only). Exits 1 and names each fault.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib')
const MAX_LINES = 200
const FORBIDDEN = {
  'clients/': ['express'],
  'engine/': ['express'],
  'telemetry/': ['express'],
  'stores/': ['express'],
  'errors/': ['express'],
}

// "1. `index.ts`, `authcode.ts` — …", its indented lines following: one layer each. The names
// before the dash are the layer's members; a folder named after it (`codes/`) is a folder of the
// layer's own folder, unless it names a folder of lib/ or of the package (`errors/`, `types/`).
const items = []
for (const line of readFileSync(join(root, 'README.md'), 'utf8').split('\n')) {
  if (/^\d+\. /.test(line)) items.push(line)
  else if (typeof items.at(-1) === 'string' && /^\s+\S/.test(line)) items[items.length - 1] += ` ${line.trim()}`
  else if (line.trim() !== '') items.push(undefined) // the list ended: later numbered lines start another
}
const names = (text) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1])
const listed = items.filter((item) => item !== undefined)
if (listed.length === 0) throw new Error('lib/README.md lists no layers')
const layers = listed.map((item) => names(item.split('—')[0]))
const folders = new Set(layers.flat().filter((name) => name.endsWith('/')))
for (const [rank, item] of listed.entries()) {
  const [own, ...others] = layers[rank].filter((name) => name.endsWith('/'))
  const nested = names(item.split('—').slice(1).join('—')).filter(
    (name) => name.endsWith('/') && !existsSync(join(root, name)) && !existsSync(join(root, '..', name)),
  )
  if (nested.length > 0 && (own === undefined || others.length > 0)) {
    throw new Error(`lib/README.md: layer ${rank + 1} names folders (${nested.join(', ')}) but has not exactly one folder of its own`)
  }
  for (const name of nested) folders.add(`${own}${name}`)
}

function rankOf(file) {
  const top = file.includes('/') ? `${file.split('/')[0]}/` : file
  const rank = layers.findIndex((members) => members.includes(top))
  return rank < 0 ? undefined : rank
}

/** Every folder under lib/ (`endpoints/`, `endpoints/codes/`, …) and every `.ts` file, from lib/. */
function* entries(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const name = relative(root, path).split('\\').join('/')
    if (entry.isDirectory()) {
      yield { folder: `${name}/` }
      yield* entries(path)
    } else if (entry.name.endsWith('.ts')) yield { file: name }
  }
}

const faults = []
for (const { folder, file } of entries(root)) {
  if (folder !== undefined) {
    if (!folders.has(folder)) faults.push(`${folder}: a folder lib/README.md does not list (name it in its layer's line)`)
    continue
  }
  const text = readFileSync(join(root, file), 'utf8')
  const rank = rankOf(file)
  if (rank === undefined) faults.push(`${file}: in no layer of lib/README.md`)
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
  if (lines > MAX_LINES) faults.push(`${file}: ${lines} lines (at most ${MAX_LINES})`)
  for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
    const forbidden = Object.entries(FORBIDDEN).find(([folder, packages]) => file.startsWith(folder) && packages.includes(specifier))
    if (forbidden) faults.push(`${file}: imports ${specifier}, which ${forbidden[0]} must not`)
    if (!specifier.startsWith('.')) continue
    const target = normalize(join(dirname(file), specifier))
      .split('\\')
      .join('/')
      .replace(/\.js$/, '.ts')
    if (target.startsWith('..')) continue // types/ and other top-level folders
    const targetRank = rankOf(target)
    if (rank !== undefined && targetRank !== undefined && targetRank < rank) {
      faults.push(`${file} (layer ${rank + 1}) imports ${target} (layer ${targetRank + 1}), a layer above it`)
    }
  }
}
// One rule for public types: a type of its own lives in types/; lib/ exports a type only beside
// the class, function or constant it belongs to (`RedisStore, type RedisStoreOptions`).
const entry = readFileSync(join(root, 'index.ts'), 'utf8')
for (const [, typeKeyword, list, from] of entry.matchAll(/export\s+(type\s+)?\{([^}]*)\}\s+from\s+'(\.\/[^']+)'/g)) {
  const exported = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  if (typeKeyword !== undefined || exported.every((name) => name.startsWith('type '))) {
    faults.push(`index.ts: re-exports only types from ${from}; a public type of its own lives in types/`)
  }
}
for (const file of readdirSync(join(root, '..', 'types')).filter((name) => name.endsWith('.ts'))) {
  const text = readFileSync(join(root, '..', 'types', file), 'utf8')
  for (const [statement, specifier] of text.matchAll(/^import\b[^']*'([^']+)'/gm)) {
    if (specifier.startsWith('../lib/') && !/^import\s+type\s/.test(statement)) {
      faults.push(`types/${file}: imports a value from ${specifier}; types/ may name lib/'s classes as types only`)
    }
  }
}
if (faults.length > 0) {
  console.error(`lib/ breaks its layering:\n${faults.map((f) => `- ${f}`).join('\n')}`)
  process.exit(1)
}
console.log(`lib/: ${layers.length} layers, ${folders.size} folders, all listed, no upward import, no file over ${MAX_LINES} lines`)
