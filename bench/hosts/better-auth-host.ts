import { betterAuth, type SecondaryStorage } from 'better-auth'
import { memoryAdapter, type MemoryDB } from 'better-auth/adapters/memory'
import { toNodeHandler } from 'better-auth/node'
import { magicLink } from 'better-auth/plugins/magic-link'
import express from 'express'
import type { BenchRedis } from '../redis.js'
import type { HostConnections } from '../scenario.js'

/** Where better-auth's handler is mounted (its default `basePath`). */
export const BETTER_AUTH_MOUNT = '/api/auth'

/** Prefix of every key better-auth writes through the bench's secondary storage. */
export const BETTER_AUTH_PREFIX = 'bench:better-auth:'

/** Users the verify scenario signs in, created before any run (the memory adapter finds a user by a scan of its table). */
export const BETTER_AUTH_USERS = 1000

/** The e-mail address of user `i` of the pool. */
export const poolEmail = (i: number) => `bench-user-${i % BETTER_AUTH_USERS}@example.com`

/** A link better-auth's `sendMagicLink` was asked to send. */
export interface SentLink {
  email: string
  url: string
  token: string
}

/**
 * better-auth's `secondaryStorage` over the bench's node-redis connection: `set` with a TTL in
 * seconds, `getAndDelete` as `GETDEL`, `increment` (its rate limiter's counter, the TTL set only
 * when the key is created) as one `MULTI` of `INCR` and `EXPIRE … NX`.
 */
export function redisSecondaryStorage(redis: BenchRedis, prefix = BETTER_AUTH_PREFIX): SecondaryStorage {
  const key = (name: string) => `${prefix}${name}`
  return {
    get: (name) => redis.get(key(name)),
    getAndDelete: (name) => redis.getDel(key(name)),
    set: async (name, value, ttl) => {
      if (ttl) await redis.set(key(name), value, { EX: ttl })
      else await redis.set(key(name), value)
    },
    delete: async (name) => {
      await redis.del(key(name))
    },
    increment: async (name, ttl) => {
      const [count] = await redis.multi().incr(key(name)).expire(key(name), ttl, 'NX').exec()
      return Number(count)
    },
  }
}

/**
 * better-auth logs an error (and better-call, its router, prints `# SERVER_ERROR:`) when a
 * request's body cannot be read because the client went away: the load generator does that to
 * the requests in flight at the end of every run. Those lines are dropped; any other error still
 * prints.
 */
function quietAbortedRequests(): void {
  const print = console.error.bind(console)
  const aborted = (arg: unknown) =>
    arg instanceof Error && (arg.message === 'aborted' || (arg as NodeJS.ErrnoException).code === 'ECONNRESET')
  console.error = (...args: unknown[]) => {
    if (!args.some(aborted)) print(...args)
  }
}

/**
 * A host app of better-auth with its magic-link plugin, as its docs set it up: an in-memory
 * database (better-auth's memory adapter), sessions and verification values in Redis through
 * `secondaryStorage`, and its rate limiter counting there too (at limits no run reaches, as the
 * library's host does; off with `noLimits`). `sendMagicLink` sends nothing: it hands each link to
 * `sent` (the verify scenario collects its tokens so), else keeps only the last one.
 */
export async function betterAuthHost(redis: BenchRedis, { noLimits = false }: HostConnections = {}) {
  quietAbortedRequests()
  const db: MemoryDB = { user: [], session: [], account: [], verification: [] }
  let collect: ((link: SentLink) => void) | undefined
  let last: SentLink | undefined
  const unlimited = { window: 15 * 60, max: 1e9 }
  const auth = betterAuth({
    baseURL: 'http://127.0.0.1:3000',
    basePath: BETTER_AUTH_MOUNT,
    secret: 'bench-better-auth-secret-0123456789abcdef',
    database: memoryAdapter(db),
    secondaryStorage: redisSecondaryStorage(redis),
    rateLimit: noLimits
      ? { enabled: false }
      : { enabled: true, storage: 'secondary-storage', customRules: { '/sign-in/magic-link': unlimited, '/magic-link/verify': unlimited } },
    telemetry: { enabled: false },
    logger: { level: 'error' },
    plugins: [
      magicLink({
        sendMagicLink: ({ email, url, token }) => {
          last = { email, url, token }
          collect?.(last)
        },
      }),
    ],
  })
  const context = await auth.$context
  for (let i = 0; i < BETTER_AUTH_USERS; i++) {
    await context.internalAdapter.createUser({ email: poolEmail(i), name: `User ${i}`, emailVerified: true }, { method: 'magic-link' })
  }

  /**
   * Asks better-auth for `count` magic links (its own endpoint, called in-process without the
   * rate limiter), `batch` at a time, each for a user of the pool, and returns their tokens.
   */
  async function links(count: number, batch: number): Promise<string[]> {
    const tokens: string[] = []
    collect = (link) => tokens.push(link.token)
    try {
      for (let done = 0; done < count;) {
        const n = Math.min(batch, count - done)
        await Promise.all(
          Array.from({ length: n }, (_, i) =>
            auth.api.signInMagicLink({ body: { email: poolEmail(done + i), callbackURL: '/' }, headers: new Headers() }),
          ),
        )
        done += n
      }
    } finally {
      collect = undefined
    }
    return tokens
  }

  /**
   * Forgets the pool's lists of active sessions (`active-sessions-<user id>`), which better-auth
   * reads and rewrites whole on each sign-in: without this, each run would find them longer.
   */
  async function forgetSessionLists(): Promise<void> {
    const users = db.user as Array<{ id: string }>
    for (let i = 0; i < users.length; i += 500) {
      await redis.del(users.slice(i, i + 500).map((u) => `${BETTER_AUTH_PREFIX}active-sessions-${u.id}`))
    }
  }

  const app = express()
  app.all(`${BETTER_AUTH_MOUNT}/*splat`, toNodeHandler(auth))
  return { app, auth, links, forgetSessionLists, lastSent: () => last }
}
