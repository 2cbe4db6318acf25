import type { BenchRedis } from '../redis.js'

/** Models oidc-provider consumes: stored as a hash, so `consume` can mark them with one field. */
const CONSUMABLE = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'])
/** Models tied to a grant, listed under it so `revokeByGrantId` can find them. */
const GRANTABLE = new Set([...CONSUMABLE, 'AccessToken'])

type Payload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string }

/**
 * An oidc-provider adapter on node-redis, after the Redis adapter of oidc-provider's examples
 * (written there for ioredis): one key per model instance, a list per grant, lookup keys for
 * `uid` and `userCode`.
 * @see https://github.com/panva/node-oidc-provider/blob/main/docs/README.md#adapter
 */
export function oidcRedisAdapter(redis: BenchRedis, prefix: string) {
  const grantKey = (id: string) => `${prefix}grant:${id}`
  const uidKey = (uid: string) => `${prefix}uid:${uid}`
  const userCodeKey = (code: string) => `${prefix}userCode:${code}`

  return class OidcRedisAdapter {
    constructor(readonly name: string) {}

    key(id: string): string {
      return `${prefix}${this.name}:${id}`
    }

    async upsert(id: string, payload: Payload, expiresIn: number): Promise<void> {
      const key = this.key(id)
      const multi = redis.multi()
      if (CONSUMABLE.has(this.name)) multi.hSet(key, 'payload', JSON.stringify(payload))
      else multi.set(key, JSON.stringify(payload))
      if (expiresIn) multi.expire(key, expiresIn)
      if (GRANTABLE.has(this.name) && payload.grantId) {
        const list = grantKey(payload.grantId)
        multi.rPush(list, key)
        if (expiresIn > (await redis.ttl(list))) multi.expire(list, expiresIn)
      }
      for (const lookup of [payload.userCode && userCodeKey(payload.userCode), payload.uid && uidKey(payload.uid)]) {
        if (!lookup) continue
        multi.set(lookup, id)
        multi.expire(lookup, expiresIn)
      }
      await multi.exec()
    }

    async find(id: string): Promise<Payload | undefined> {
      if (CONSUMABLE.has(this.name)) {
        const { payload, ...rest } = await redis.hGetAll(this.key(id))
        return payload === undefined ? undefined : { ...rest, ...JSON.parse(payload) }
      }
      const data = await redis.get(this.key(id))
      return data === null ? undefined : JSON.parse(data)
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      const id = await redis.get(uidKey(uid))
      return id === null ? undefined : this.find(id)
    }

    async findByUserCode(code: string): Promise<Payload | undefined> {
      const id = await redis.get(userCodeKey(code))
      return id === null ? undefined : this.find(id)
    }

    async destroy(id: string): Promise<void> {
      await redis.del(this.key(id))
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const keys = await redis.lRange(grantKey(grantId), 0, -1)
      await redis.del([...keys, grantKey(grantId)])
    }

    async consume(id: string): Promise<void> {
      await redis.hSet(this.key(id), 'consumed', Math.floor(Date.now() / 1000))
    }
  }
}
