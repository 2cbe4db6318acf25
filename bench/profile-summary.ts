// npx tsx bench/profile-summary.ts FILE.cpuprofile [TOP]: where a target spent its CPU.
import { readFile } from 'node:fs/promises'
import { relative } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const [file, top = '25'] = process.argv.slice(2)
if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile [TOP]')
const profile = JSON.parse(await readFile(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const self = new Map<number, number>()
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
const total = [...self.values()].reduce((a, b) => a + b, 0)

const where = (url: string) => {
  const path = url.replace(/^file:\/\//, '')
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1]
  return pkg ?? (path.startsWith('/') ? relative(process.cwd(), path) : path || '(native)')
}
const tally = (key: (node: ProfileNode) => string) => {
  const sums = new Map<string, number>()
  for (const [id, time] of self) {
    const node = byId.get(id)
    if (node) sums.set(key(node), (sums.get(key(node)) ?? 0) + time)
  }
  return [...sums].sort((a, b) => b[1] - a[1]).slice(0, Number(top))
}
const print = (title: string, rows: Array<[string, number]>) => {
  console.log(`\n${title}`)
  for (const [name, time] of rows) console.log(`${((time / total) * 100).toFixed(1).padStart(5)} %  ${name}`)
}
print(
  'self time by package or file',
  tally((n) => where(n.callFrame.url)),
)
print(
  'self time by function',
  tally((n) => `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`),
)
