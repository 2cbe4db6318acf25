import { expect } from 'chai'
import express from 'express'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { authcode, CAPTURE_ERRORS, MemoryStore, OPTIONS_ERROR_CODES, PROBLEMS, type AuthcodeEvent } from '../lib/index.js'
import { DEFAULTS } from '../lib/defaults.js'
import { optionsSchema } from '../lib/options/schema.js'
import { form, serve, type RequestPart, type HttpClient } from './helpers/http.js'

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const THIS_FILE = readFileSync(new URL(import.meta.url), 'utf8')

/** `part` as a browser sends it from a page: with the page's cookie, asking for HTML. */
function withCookie<T extends RequestPart>(part: T, cookie: string): T {
  return { ...part, headers: { ...part.headers, cookie, accept: 'text/html' } }
}

/** The lines of `markdown` from the heading line `heading` to the next heading of the same or a higher level. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n')
  const start = lines.indexOf(heading)
  if (start < 0) throw new Error(`README has no heading "${heading}"`)
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

/** The README's problem table: slug → HTTP status. */
function problemTable(markdown: string): Record<string, number> {
  const rows = firstTable(section(markdown, '#### Problem types'))
  const table: Record<string, number> = {}
  for (const [slug, status] of rows) {
    const name = codeSpan(slug) ?? `unparsed: ${slug}`
    if (name in table) throw new Error(`the problem table lists ${name} twice`)
    table[name] = firstNumber(status)
  }
  return table
}

const registry = () => Object.fromEntries(Object.entries(PROBLEMS).map(([slug, { status }]) => [slug, status]))

describe('README', () => {
  describe('reference tables', () => {
    it('lists exactly the problem slugs of the PROBLEMS registry, each with its HTTP status', () => {
      expect(problemTable(README)).to.deep.equal(registry())
    })

    it('notices a problem row that is missing or has the wrong status', () => {
      const row = README.split('\n').find((line) => line.startsWith('| `store-unavailable` |')) as string
      expect(row, 'the store-unavailable row').to.be.a('string')
      expect(problemTable(README.replace(`${row}\n`, ''))).not.to.deep.equal(registry())
      expect(problemTable(README.replace(row, row.replace('503', '500')))).not.to.deep.equal(registry())
    })

    it('lists every option of authcode() and every client field in the options tables', () => {
      const described = optionsSchema.describe() as { keys: Record<string, { items?: Array<{ keys: Record<string, unknown> }> }> }
      const names = (heading: string) => firstTable(section(README, heading)).map(([name]) => codeSpan(name)?.split(/[.(]/)[0])
      expect(names('### Options').sort()).to.deep.equal(Object.keys(described.keys).sort())
      expect(names('#### Client fields').sort()).to.deep.equal(Object.keys(described.keys.clients?.items?.[0]?.keys ?? {}).sort())
    })

    it('gives the defaults of lib/defaults.ts in the options table', () => {
      const rows = new Map(firstTable(section(README, '### Options')).map((row) => [codeSpan(row[0])?.split(/[.(]/)[0], row.join(' | ')]))
      expect(rows.get('keyPrefix')).to.include(`'${DEFAULTS.keyPrefix}'`)
      expect(rows.get('idempotencyTtl')).to.include(String(DEFAULTS.idempotencyTtl))
      expect(rows.get('captureClockSkew')).to.include(String(DEFAULTS.captureClockSkew))
      expect(rows.get('singleActiveCode')).to.include(String(DEFAULTS.singleActiveCode))
      expect(rows.get('requireState')).to.include(String(DEFAULTS.requireState))
      expect(rows.get('session')).to.include(`'${DEFAULTS.sessionUserKey}'`)
      const limits = firstTable(section(README, '### Rate limits'))
      for (const [name, rule] of Object.entries(DEFAULTS.rateLimit)) {
        const row = limits.find(([cell]) => codeSpan(cell) === name)
        expect(row, name).to.not.equal(undefined)
        const minutes = rule.windowMs / 60_000
        expect(row?.join(' | '), name).to.include(`${rule.limit} per ${minutes === 1 ? 'minute' : `${minutes} minutes`}`)
      }
    })

    it('lists exactly the Capture error names of CAPTURE_ERRORS, with their codes and HTTP statuses', () => {
      const rows = firstTable(section(README, '#### Capture error codes'))
      const table = Object.fromEntries(rows.map(([code, name, status]) => [codeSpan(name), [firstNumber(code), firstNumber(status)]]))
      const expected = Object.fromEntries(Object.entries(CAPTURE_ERRORS).map(([name, e]) => [name, [e.captureCode, e.status]]))
      expect(table).to.deep.equal(expected)
    })

    it('links only to headings it has', () => {
      // GitHub's anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered.
      const seen = new Map<string, number>()
      const anchors = new Set<string>()
      for (const [, text] of README.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#+ (.+)$/gm)) {
        const slug = (text as string)
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, '')
          .replaceAll(' ', '-')
        const count = seen.get(slug) ?? 0
        seen.set(slug, count + 1)
        anchors.add(count === 0 ? slug : `${slug}-${count}`)
      }
      const links = [...README.matchAll(/\]\(#([^)]+)\)/g)].map(([, anchor]) => anchor as string)
      expect(links.length).to.be.greaterThan(20)
      expect(links.filter((anchor) => !anchors.has(anchor))).to.deep.equal([])
    })

    it('lists exactly the codes of OPTIONS_ERROR_CODES', () => {
      const rows = firstTable(section(README, '#### Option errors'))
      expect(Object.fromEntries(rows.map(([kind, code]) => [codeSpan(kind), codeSpan(code)]))).to.deep.equal(OPTIONS_ERROR_CODES)
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
    function happyPathApp(sendSignInEmail: (userId: string, link: string) => Promise<void>) {
      // README "Happy path": from here …
      const app = express()
      const auth = authcode({
        store: new MemoryStore(),
        issuer: 'http://localhost:3000/auth',
        clients: [{ id: 'mailer' }],
        accessTokens: [{ token: process.env.MAILER_TOKEN!, clientId: 'mailer', scopes: ['codes:issue'] }],
        magicLinkUrl: 'http://localhost:3000/magic',
      })
      app.use('/auth', auth)
      auth.on('authorization.CodeIssued', async ({ data }) => {
        if (data.magicLink) await sendSignInEmail(data.subject, data.magicLink) // yours: look the address up, send the link
      })
      // The link's page: its GET only shows a Sign-in button (mail scanners open links too), its POST redeems.
      app.use(
        '/magic',
        auth.magicLinkLanding({
          signIn: (grant, req, res) => res.send(`Signed in as ${grant.subject}`), // start your session here
        }),
      )
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

    /** The example app, listening, and the links it e-mailed. */
    async function start() {
      const mails: Array<{ userId: string; link: string }> = []
      const { app, auth } = happyPathApp(async (userId, link) => void mails.push({ userId, link }))
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
      return { auth, mails, client, askForLink, open }
    }

    it('is the code this test runs', () => {
      const marked = /\/\/ README "Happy path": from here …\n([\s\S]*?)\n\s*\/\/ … to here\./.exec(THIS_FILE)?.[1] ?? ''
      expect(readmeExample()).to.include('authcode({')
      expect(substance(marked)).to.equal(substance(readmeExample()))
    })

    it('e-mails a link from POST /codes, shows a button on the GET and signs in once on the POST', async () => {
      const { mails, askForLink, open } = await start()
      const issued = await askForLink('user-42')
      expect(issued.status).to.equal(201)
      expect(mails).to.have.length(1)
      expect(mails[0]?.userId).to.equal('user-42')
      const link = new URL(mails[0]?.link as string)
      expect(link.origin + link.pathname).to.equal('http://localhost:3000/magic')
      expect(issued.json?.magic_link).to.equal(link.href)
      const code = link.searchParams.get('code') as string

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
      const { auth, mails, askForLink, open } = await start()
      auth.on('authorization.CodeRedeemed', (_event: AuthcodeEvent<'authorization.CodeRedeemed'>) => {
        throw new Error('the session store is down')
      })
      expect((await askForLink('user-7')).status).to.equal(201)
      const logged: unknown[] = []
      const consoleError = console.error
      console.error = (...args: unknown[]) => void logged.push(args)
      try {
        const answer = await (await open(new URL(mails[0]?.link as string).search)).press()
        expect(answer.status).to.equal(500)
        expect(answer.text).to.include('Sign-in is briefly unavailable')
      } finally {
        console.error = consoleError
      }
      expect(JSON.stringify(logged)).to.include('"error":"event-handler-failed"')
    })
  })
})
