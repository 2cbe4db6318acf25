import { RedisStore as RedisSessionStore } from 'connect-redis'
import { MemoryStore as MemorySessionStore, type Store as SessionStore } from 'express-session'
import { createClient } from 'redis'
import { MemoryStore } from '../lib/index.js'
import type { AuthcodeOptions } from '../lib/index.js'

/** Where sessions and codes live: one Redis shared by every process, or this process's memory. */
export interface Stores {
  /** One line for the start-up log saying which. */
  description: string
  /** The `redis` or `store` option of `authcode()`. */
  codes: Pick<AuthcodeOptions, 'redis' | 'store'>
  /** Builds an express-session store; each user of it gets its own key prefix. */
  sessions(prefix: string): SessionStore
  /** Closes the Redis connection, if any. */
  close(): Promise<void>
}

/** Redis when `redisUrl` is given (connected before returning), in-memory stores otherwise. */
export async function openStores(redisUrl: string | undefined): Promise<Stores> {
  if (!redisUrl) {
    const codes = new MemoryStore()
    return {
      description: 'in-memory stores (sessions and codes are lost on restart; set REDIS_URL to use Redis)',
      codes: { store: codes },
      sessions: () => new MemorySessionStore(),
      close: async () => codes.close(),
    }
  }
  const redis = createClient({ url: redisUrl })
  redis.on('error', (err: Error) => console.error(`redis: ${err.message}`))
  await redis.connect()
  return {
    description: `Redis at ${redactPassword(redisUrl)} (sessions and codes)`,
    codes: { redis },
    sessions: (prefix) => new RedisSessionStore({ client: redis, prefix }),
    close: async () => {
      if (redis.isOpen) await redis.close()
    },
  }
}

function redactPassword(url: string): string {
  const parsed = URL.parse(url)
  if (!parsed?.password) return url
  parsed.password = '***'
  return parsed.toString()
}
