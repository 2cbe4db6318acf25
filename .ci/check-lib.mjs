#!/usr/bin/env node
// Checks lib/ against the layers lib/README.md lists: no import runs up a layer, the engine
// imports no Express, and no file runs past the line limit. Exits 1 and names each fault.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib')
const MAX_LINES = 200
const FORBIDDEN = { 'engine/': ['express'], 'telemetry/': ['express'], 'stores/': ['express'], 'errors/': ['express'] }

// "1. `index.ts`, `authcode.ts` — …": each numbered line names the members of one layer.
const layers = readFileSync(join(root, 'README.md'), 'utf8')
  .split('\n')
  .filter((line) => /^\d+\. /.test(line))
  .map((line) => [...line.split('—')[0].matchAll(/`([^`]+)`/g)].map((m) => m[1]))
if (layers.length === 0) throw new Error('lib/README.md lists no layers')

function rankOf(file) {
  const top = file.includes('/') ? `${file.split('/')[0]}/` : file
  const rank = layers.findIndex((members) => members.includes(top))
  return rank < 0 ? undefined : rank
}

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* sources(path)
    else if (entry.name.endsWith('.ts')) yield relative(root, path).split('\\').join('/')
  }
}

const faults = []
for (const file of sources(root)) {
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
if (faults.length > 0) {
  console.error(`lib/ breaks its layering:\n${faults.map((f) => `- ${f}`).join('\n')}`)
  process.exit(1)
}
console.log(`lib/: ${layers.length} layers, no upward import, no file over ${MAX_LINES} lines`)
