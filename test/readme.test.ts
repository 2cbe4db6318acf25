import { expect } from 'chai'
import express from 'express'
import { randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { authcode, CAPTURE_ERRORS, MemoryStore, OPTIONS_ERROR_CODES, PROBLEMS, type AuthcodeEvent } from '../lib/index.js'
import { DEFAULTS } from '../lib/defaults.js'
import { optionsSchema } from '../lib/options/schema.js'
import { form, serve, type RequestPart, type HttpClient } from './helpers/http.js'

const ROOT = new URL('../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8')
/** The README and the guides it links to, by path from the repository's root: where the sections below are found. */
const PAGES = new Map(
  [
    'README.md',
    ...readdirSync(new URL('docs/', ROOT))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ].map((path) => [path, read(path)]),
)
const README = PAGES.get('README.md') as string
const THIS_FILE = readFileSync(new URL(import.meta.url), 'utf8')

/** The text of the one page (README.md or docs/*.md) that has the heading line `heading`, e.g. `## Options`. */
function pageWith(heading: string): string {
  const found = [...PAGES].filter(([, text]) => text.split('\n').includes(heading))
  if (found.length !== 1) {
    throw new Error(
      `${found.length} pages have the heading "${heading}" (README.md and docs/*.md): ${found.map(([path]) => path).join(', ')}`,
    )
  }
  return (found[0] as [string, string])[1]
}

/** `part` as a browser sends it from a page: with the page's cookie, asking for HTML. */
function withCookie<T extends RequestPart>(part: T, cookie: string): T {
  return { ...part, headers: { ...part.headers, cookie, accept: 'text/html' } }
}

/** The lines of `markdown` from the heading line `heading` to the next heading of the same or a higher level. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n')
  const start = lines.indexOf(heading)
  if (start < 0) throw new Error(`no heading "${heading}"`)
  const level = /^#+/.exec(heading)?.[0].length ?? 0
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && (/^#+/.exec(line)?.[0].length ?? 0) <= level)
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n')
}

/** The body rows of the first Markdown table in `text`, as trimmed cells (header and separator left out). */
function firstTable(text: string): string[][] {
  const lines = text.split('\n')
  const start = lines.findIndex((line) => line.startsWith('|'))
  if (start < 0) throw new Error('no table found')
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'))
  return lines.slice(start + 2, end < 0 ? undefined : end).map((line) =>
    line
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split(' | ')
      .map((cell) => cell.trim()),
  )
}

/** The first `code span` of a cell. */
const codeSpan = (cell: string | undefined) => /`([^`]+)`/.exec(cell ?? '')?.[1]
/** The first number of a cell. */
const firstNumber = (cell: string | undefined) => Number(/\d+/.exec(cell ?? '')?.[0])

/** The reference's problem table: slug → HTTP status. */
function problemTable(markdown: string): Record<string, number> {
  const rows = firstTable(section(markdown, '### Problem types'))
  const table: Record<string, number> = {}
  for (const [slug, status] of rows) {
    const name = codeSpan(slug) ?? `unparsed: ${slug}`
    if (name in table) throw new Error(`the problem table lists ${name} twice`)
    table[name] = firstNumber(status)
  }
  return table
}

/** `markdown` without its fenced code blocks, whose `#` lines are comments and whose `](` are code. */
const withoutCode = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, '')

/** GitHub's anchors of the headings of `markdown`: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const anchors = new Set<string>()
  for (const [, text] of withoutCode(markdown).matchAll(/^#+ (.+)$/gm)) {
    const slug = (text as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replaceAll(' ', '-')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    anchors.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return anchors
}

/** Every line lib/ logs, as `level message` (a template's placeholders as `…`), each once. */
function linesLoggedByLib(): string[] {
  const lib = new URL('lib/', ROOT)
  const lines = new Set<string>()
  for (const file of readdirSync(lib, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(new URL(file, lib), 'utf8')
    // A logger call, then its message: the first string literal that starts with the package's name.
    const calls = source.matchAll(/logger\.(error|warn|info)\([\s\S]*?(?:'(express-authcode: [^'\n]*)'|`(express-authcode: [^`]*)`)/g)
    for (const [, level, quoted, template] of calls) lines.add(`${level} ${(quoted ?? template ?? '').replace(/\$\{[^}]*\}/g, '…')}`)
  }
  return [...lines].sort()
}

/** The lines the logging table of `markdown` lists, as `level message` (its `<placeholders>` as `…`). */
const loggingTable = (markdown: string) =>
  firstTable(section(markdown, '## Logging: `logger`'))
    .map(([level, message]) => `${codeSpan(level)} ${codeSpan(message)?.replace(/<\w+>/g, '…')}`)
    .sort()

/**
 * Checks that a table check can fail: `table` (read from the page under `heading`) no longer
 * equals `expected` once the row that starts with `rowStart` is taken out, or has `from` changed to `to`.
 */
function expectBrokenRowNoticed(
  heading: string,
  rowStart: string,
  [from, to]: [string, string],
  table: (page: string) => unknown,
  expected: unknown,
) {
  const page = pageWith(heading)
  const row = page.split('\n').find((line) => line.startsWith(rowStart))
  if (row === undefined) throw new Error(`no row under "${heading}" starts with ${rowStart}`)
  expect(table(page.replace(`${row}\n`, '')), 'without the row').not.to.deep.equal(expected)
  expect(table(page.replace(row, row.replace(from, to))), `with ${to} for ${from}`).not.to.deep.equal(expected)
}

const registry = () => Object.fromEntries(Object.entries(PROBLEMS).map(([slug, { status }]) => [slug, status]))

describe('README and docs/', () => {
  describe('front door', () => {
    it('opens with the set-up commands: npm ci, npm start and npm test, in that order', () => {
      const first = /^```(\w*)\n([\s\S]*?)^```/m.exec(README)
      expect(first?.[1]).to.equal('sh')
      const commands = (first?.[2] ?? '').split('\n').map((line) => line.replace(/#.*/, '').trim())
      expect(commands.filter(Boolean)).to.deep.equal(['npm ci', 'npm start', 'npm test'])
      expect(README.slice(0, first?.index).split('\n').length, 'lines before the commands').to.be.at.most(6)
    })

    it('stays short: at most 400 lines, and a happy path of at most 10 lines of code', () => {
      expect(README.split('\n').length).to.be.at.most(400 + 1) // the newline that ends the last line
      const code = /```ts\n([\s\S]*?)```/.exec(section(README, '## Happy path'))?.[1] ?? ''
      expect(code.trimEnd().split('\n')).to.have.length.within(1, 10)
    })
  })

  describe('reference tables', () => {
    it('lists exactly the problem slugs of the PROBLEMS registry, each with its HTTP status', () => {
      expect(problemTable(pageWith('### Problem types'))).to.deep.equal(registry())
    })

    it('notices a problem row that is missing or has the wrong status', () => {
      expectBrokenRowNoticed('### Problem types', '| `store-unavailable` |', ['503', '500'], problemTable, registry())
    })

    it('lists every option of authcode() and every client field in the options tables', () => {
      const described = optionsSchema.describe() as { keys: Record<string, { items?: Array<{ keys: Record<string, unknown> }> }> }
      const names = (heading: string) => firstTable(section(pageWith(heading), heading)).map(([name]) => codeSpan(name)?.split(/[.(]/)[0])
      expect(names('## Options').sort()).to.deep.equal(Object.keys(described.keys).sort())
      expect(names('### Client fields').sort()).to.deep.equal(Object.keys(described.keys.clients?.items?.[0]?.keys ?? {}).sort())
    })

    it('gives the defaults of lib/defaults.ts in the options table', () => {
      const options = firstTable(section(pageWith('## Options'), '## Options'))
      const rows = new Map(options.map((row) => [codeSpan(row[0])?.split(/[.(]/)[0], row.join(' | ')]))
      expect(rows.get('keyPrefix')).to.include(`'${DEFAULTS.keyPrefix}'`)
      expect(rows.get('idempotencyTtl')).to.include(String(DEFAULTS.idempotencyTtl))
      expect(rows.get('captureClockSkew')).to.include(String(DEFAULTS.captureClockSkew))
      expect(rows.get('singleActiveCode')).to.include(String(DEFAULTS.singleActiveCode))
      expect(rows.get('requireState')).to.include(String(DEFAULTS.requireState))
      expect(rows.get('session')).to.include(`'${DEFAULTS.sessionUserKey}'`)
      const limits = firstTable(section(pageWith('## Rate limits'), '## Rate limits'))
      for (const [name, rule] of Object.entries(DEFAULTS.rateLimit)) {
        const row = limits.find(([cell]) => codeSpan(cell) === name)
        expect(row, name).to.not.equal(undefined)
        const minutes = rule.windowMs / 60_000
        expect(row?.join(' | '), name).to.include(`${rule.limit} per ${minutes === 1 ? 'minute' : `${minutes} minutes`}`)
      }
    })

    it('lists exactly the Capture error names of CAPTURE_ERRORS, with their codes and HTTP statuses', () => {
      const rows = firstTable(section(pageWith('### Capture error codes'), '### Capture error codes'))
      const table = Object.fromEntries(rows.map(([code, name, status]) => [codeSpan(name), [firstNumber(code), firstNumber(status)]]))
      const expected = Object.fromEntries(Object.entries(CAPTURE_ERRORS).map(([name, e]) => [name, [e.captureCode, e.status]]))
      expect(table).to.deep.equal(expected)
    })

    it('links only to files and headings that exist, from the README, docs/ and SECURITY.md', () => {
      const links: string[] = []
      const broken: string[] = []
      for (const page of [...PAGES.keys(), 'SECURITY.md']) {
        const from = new URL(page, ROOT)
        for (const [, target] of withoutCode(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z][a-z0-9+.-]*:/i.test(target as string)) continue // https:, mailto:
          links.push(`${page}: ${target}`)
          const url = new URL(target as string, from)
          const anchor = decodeURIComponent(url.hash.slice(1))
          url.hash = ''
          const path = fileURLToPath(url)
          if (!existsSync(path)) broken.push(`${page}: ${target} (no such file)`)
          else if (anchor && path.endsWith('.md') && !anchorsOf(readFileSync(path, 'utf8')).has(anchor)) broken.push(`${page}: ${target}`)
        }
      }
      expect(links.length).to.be.greaterThan(50)
      expect(broken).to.deep.equal([])
    })

    it('lists exactly the codes of OPTIONS_ERROR_CODES', () => {
      const rows = firstTable(section(pageWith('### Option errors'), '### Option errors'))
      expect(Object.fromEntries(rows.map(([kind, code]) => [codeSpan(kind), codeSpan(code)]))).to.deep.equal(OPTIONS_ERROR_CODES)
    })
  })

  describe('logging reference', () => {
    it('lists every line the router logs, at its level, and no line it does not log', () => {
      const logged = linesLoggedByLib()
      expect(logged.length, 'lines found in lib/').to.be.at.least(7)
      expect(loggingTable(pageWith('## Logging: `logger`'))).to.deep.equal(logged)
    })

    it('notices a line missing from the table or logged at another level', () => {
      const row = '| `error` | `express-authcode: the host error page failed` |'
      expectBrokenRowNoticed('## Logging: `logger`', row, ['`error`', '`warn`'], loggingTable, linesLoggedByLib())
    })
  })

  describe('happy path', () => {
    /** The code of the README's "Happy path" example, imports and `app.listen()` left out. */
    const readmeExample = () =>
      (/```ts\n([\s\S]*?)```/.exec(section(README, '## Happy path'))?.[1] ?? '')
        .split('\n')
        .filter((line) => !line.startsWith('import ') && !line.startsWith('app.listen('))
        .join('\n')
    /** What the two copies say, whatever their line breaks, spacing and trailing commas. */
    const substance = (code: string) => code.replace(/\s+/g, '').replace(/,([)}\]])/g, '$1')

    /** The README's "Happy path" example, verbatim between the markers (the README says `app.listen(3000)` instead of returning). */
    function happyPathApp() {
      // README "Happy path": from here …
      const app = express()
      const auth = authcode({
        store: new MemoryStore(),
        issuer: 'http://localhost:3000/auth',
        magicLinkUrl: 'http://localhost:3000/magic',
        clients: [{ id: 'mailer' }],
        accessTokens: [{ token: process.env.MAILER_TOKEN!, clientId: 'mailer', scopes: ['codes:issue'] }],
      })
      app.use('/auth', auth) // POST /auth/codes: your service asks for a magic link
      app.use('/magic', auth.magicLinkLanding({ signIn: (grant, req, res) => res.send(`Signed in as ${grant.subject}`) }))
      // … to here.
      return { app, auth }
    }

    const MAILER_TOKEN = 'mailer-token-0123456789abcdef'
    let served: HttpClient | undefined
    let stored: string | undefined

    beforeEach(() => {
      stored = process.env.MAILER_TOKEN
      process.env.MAILER_TOKEN = MAILER_TOKEN
    })
    afterEach(async () => {
      if (stored === undefined) delete process.env.MAILER_TOKEN
      else process.env.MAILER_TOKEN = stored
      await served?.close()
      served = undefined
    })

    /** The example app, listening. */
    async function start() {
      const { app, auth } = happyPathApp()
      served = await serve(app)
      const client = served
      const askForLink = (userId: string) =>
        client.send({
          method: 'POST',
          path: '/auth/codes',
          headers: {
            authorization: `Bearer ${MAILER_TOKEN}`,
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
          },
          body: JSON.stringify({ external_user_id: userId }),
        })
      /** Opens a link as a browser does, and resolves the page and how to press its button (with the page's cookie). */
      const open = async (search: string) => {
        const page = await client.send({ method: 'GET', path: `/magic${search}`, headers: { accept: 'text/html' } })
        const cookie = String(page.headers['set-cookie']?.[0] ?? '').split(';')[0] as string
        const fields = Object.fromEntries([...page.text.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map(([, n, v]) => [n, v]))
        const press = () => client.send({ method: 'POST', path: '/magic', ...withCookie(form(fields), cookie) })
        return { page, fields, press }
      }
      return { auth, client, askForLink, open }
    }

    it('is the code this test runs', () => {
      const marked = /\/\/ README "Happy path": from here …\n([\s\S]*?)\n\s*\/\/ … to here\./.exec(THIS_FILE)?.[1] ?? ''
      expect(readmeExample()).to.include('authcode({')
      expect(substance(marked)).to.equal(substance(readmeExample()))
    })

    it('answers POST /codes with a link whose page shows a button on the GET and signs in once on the POST', async () => {
      const { askForLink, open } = await start()
      const issued = await askForLink('user-42')
      expect(issued.status).to.equal(201)
      expect(issued.json?.external_user_id).to.equal('user-42')
      const link = new URL(issued.json?.magic_link as string)
      expect(link.origin + link.pathname).to.equal('http://localhost:3000/magic')
      const code = link.searchParams.get('code') as string
      expect(issued.json?.code).to.equal(code)

      const { page, fields, press } = await open(link.search)
      expect(page.status).to.equal(200)
      expect(page.text).to.include('<button>Sign in</button>')
      expect(fields.code).to.equal(code)

      const first = await press()
      expect(first.status).to.equal(200)
      expect(first.text).to.equal('Signed in as user-42')
      const again = await press()
      expect(again.status).to.equal(410)
      expect(again.text).to.include('This link no longer works')
    })

    it('shows an unknown code as used and echoes no markup into the landing page', async () => {
      const { open } = await start()
      expect((await open(`?code=${'A'.repeat(43)}`)).page.status).to.equal(410)
      const { page } = await open(`?code=${encodeURIComponent('"><script>alert(1)</script>')}`)
      expect(page.status).to.equal(400)
      expect(page.text).not.to.include('<script>')
    })

    it('answers a failure of the redemption with the error page instead of the request hanging', async () => {
      const { auth, askForLink, open } = await start()
      auth.on('authorization.CodeRedeemed', (_event: AuthcodeEvent<'authorization.CodeRedeemed'>) => {
        throw new Error('the session store is down')
      })
      const issued = await askForLink('user-7')
      expect(issued.status).to.equal(201)
      const logged: unknown[] = []
      const consoleError = console.error
      console.error = (...args: unknown[]) => void logged.push(args)
      try {
        const answer = await (await open(new URL(issued.json?.magic_link as string).search)).press()
        expect(answer.status).to.equal(500)
        expect(answer.text).to.include('Sign-in is briefly unavailable')
      } finally {
        console.error = consoleError
      }
      expect(JSON.stringify(logged)).to.include('"error":"event-handler-failed"')
    })
  })
})
