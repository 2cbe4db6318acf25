import { processSuite } from './process-suite.js'
import { refreshProcessSuite } from './refresh-process-suite.js'
import { connectRedis } from './helpers/redis.js'
import { redisUrl } from './helpers/root-hooks.js'

describe('4 app processes on one Redis', () => {
  processSuite(() => ({ env: { REDIS_URL: redisUrl() }, connect: () => connectRedis() }))

  describe('refresh tokens', () => {
    refreshProcessSuite(() => ({ env: { REDIS_URL: redisUrl() }, connect: () => connectRedis() }))
  })
})
