import { RedisServer } from './redis-server.js'

let server: RedisServer | undefined

/** The Redis every test uses: `REDIS_URL` when set, else a redis-server started for this run. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL ?? server?.url
  if (!url) throw new Error('the test Redis is not running')
  return url
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(15_000)
    if (!process.env.REDIS_URL && !server) server = await RedisServer.start()
  },
  async afterAll() {
    await server?.stop()
    server = undefined
  },
}
