import type { NewRefreshFamily, RefreshRotation, RefreshTokenState, RefreshTokenStore, RotationResult } from '../../types/refresh.js'
import { LuaScript, orUnavailable, type SendRedisCommand } from './redis-commands.js'
import { ownerMember } from './redis-save.js'
import { FILE } from './redis-scripts.js'
import { groupTag, slotTag } from './slot-tag.js'

/**
 * Where refresh-token families are kept under the prefix. A family and every token of it share
 * the hash tag `{t}` (the family id's and each token id's first two characters), so that one
 * script rotates them on a Redis Cluster; an owner's index of families has its group's tag.
 */
export class RefreshKeys {
  constructor(readonly prefix: string) {}

  /** A token: `L` + its sealed record while live, `C` + when it was rotated (ms) + space + its sealed record after. */
  token(id: string): string {
    return `${this.prefix}{${slotTag(id)}}rt:${id}`
  }

  /** A family: its live token's id, a space and when the family ends (ms); gone once it is revoked or ends. */
  family(familyId: string): string {
    return `${this.prefix}{${slotTag(familyId)}}rfam:${familyId}`
  }

  /** The families of an owner group, by when each ends. */
  owner(group: string): string {
    return `${this.prefix}{${groupTag(group)}}rfams:${group}`
  }
}

/** Saves a family (KEYS 2) and its first token (KEYS 1). ARGV: sealed record, ttl ms, family end ms, token id. */
const MINT = new LuaScript(`
redis.call('SET', KEYS[2], ARGV[4] .. ' ' .. ARGV[3], 'PX', ARGV[2])
redis.call('SET', KEYS[1], 'L' .. ARGV[1], 'PX', ARGV[2])
return 1
`)

/**
 * One presentation of a token (KEYS 1) of a family (KEYS 2), decided in one step. A live token
 * that is its family's live one is marked rotated (keeping its own TTL, so a replay is told from
 * an unknown token until the token would have expired) and its successor (KEYS 3) becomes the
 * family's live token, the family living as long as it: `idle` ms, never past the family's end.
 * A token rotated less than `interval` ms ago is refused as it is; one rotated before that is a
 * replay, and the family goes (its newest token with it: every rotation needs the family). A
 * live token whose family is gone is deleted. ARGV: token id, successor id (empty when the token
 * was read rotated), idle ms, now ms, interval ms, successor's sealed record.
 */
const ROTATE = new LuaScript(`
local v = redis.call('GET', KEYS[1])
if not v then return {'missing'} end
local now = tonumber(ARGV[4])
if string.sub(v, 1, 1) == 'C' then
  if now - tonumber(string.match(v, '^C(%d+)')) < tonumber(ARGV[5]) then return {'recent'} end
  return {'reused', redis.call('DEL', KEYS[2])}
end
local f = redis.call('GET', KEYS[2])
local live, ends
if f then live, ends = string.match(f, '^(%S+) (%d+)$') end
local ttl = ends and math.min(tonumber(ARGV[3]), tonumber(ends) - now) or 0
if live ~= ARGV[1] or ttl < 1 then
  redis.call('DEL', KEYS[1])
  return {'revoked'}
end
if ARGV[2] == '' then return {'missing'} end
ttl = string.format('%d', ttl)
redis.call('SET', KEYS[1], 'C' .. ARGV[4] .. ' ' .. string.sub(v, 2), 'KEEPTTL')
redis.call('SET', KEYS[3], 'L' .. ARGV[6], 'PX', ttl)
redis.call('SET', KEYS[2], ARGV[2] .. ' ' .. ends, 'PX', ttl)
return {'rotated'}
`)

type RotateReply = ['missing' | 'recent' | 'revoked' | 'rotated'] | ['reused', number]

/**
 * {@link RefreshTokenStore} on Redis, for a `RedisStore`: each operation one command or script on
 * one hash slot (cluster-safe), and every rotation and revocation waited on with `durability`.
 */
export class RedisRefreshStore implements RefreshTokenStore {
  readonly #keys: RefreshKeys
  readonly #send: SendRedisCommand
  readonly #durable: (key: string) => Promise<void>
  readonly #durableAll: (keys: readonly string[]) => Promise<void>

  /**
   * @param durable waits for the replicas to hold the writes to a key (see `durableWrites`).
   * @param durableAll the same after writes to several keys, once per master they may be on.
   */
  constructor(
    send: SendRedisCommand,
    prefix: string,
    durable: (key: string) => Promise<void>,
    durableAll: (keys: readonly string[]) => Promise<void>,
  ) {
    this.#keys = new RefreshKeys(prefix)
    this.#send = send
    this.#durable = durable
    this.#durableAll = durableAll
  }

  async mint({ familyId, tokenId, value, idleMs, maxLifetimeMs, owner }: NewRefreshFamily): Promise<void> {
    const now = Date.now()
    const ends = String(now + maxLifetimeMs)
    const ttl = String(Math.max(1, Math.min(idleMs, maxLifetimeMs)))
    // The index has its own hash slot: filed beside the family, sent together (one round trip on one connection).
    await Promise.all([
      orUnavailable(MINT.run(this.#send, [this.#keys.token(tokenId), this.#keys.family(familyId)], [value, ttl, ends, tokenId])),
      orUnavailable(FILE.run(this.#send, [this.#keys.owner(owner.group)], [ownerMember(owner.clientId, familyId), ends, String(now)])),
    ])
  }

  async read(tokenId: string): Promise<RefreshTokenState> {
    const key = this.#keys.token(tokenId)
    const reply = await orUnavailable(this.#send({ key, isReadOnly: true, command: ['GET', key] }))
    if (typeof reply !== 'string') return { status: 'missing' }
    if (reply.startsWith('L')) return { status: 'live', value: reply.slice(1) }
    return { status: 'consumed', value: reply.slice(reply.indexOf(' ') + 1) }
  }

  async rotate({ familyId, tokenId, successor, idleMs, reuseIntervalMs }: RefreshRotation): Promise<RotationResult> {
    const token = this.#keys.token(tokenId)
    const keys = [token, this.#keys.family(familyId), successor ? this.#keys.token(successor.id) : token]
    const args = [tokenId, successor?.id ?? '', String(idleMs), String(Date.now()), String(reuseIntervalMs), successor?.value ?? '']
    const [status, deleted] = (await orUnavailable(ROTATE.run(this.#send, keys, args))) as RotateReply
    if (status === 'reused') {
      // A revocation a failover could undo would let the thief's token work again.
      if (deleted === 1) await this.#durable(token)
      return { status, revoked: deleted === 1 }
    }
    if (status === 'rotated') await this.#durable(token)
    return { status }
  }

  async revoke(familyId: string): Promise<boolean> {
    const key = this.#keys.family(familyId)
    const deleted = await orUnavailable(this.#send({ key, isReadOnly: false, command: ['DEL', key] }))
    if (deleted === 1) await this.#durable(key)
    return deleted === 1
  }

  async revokeOwner(group: string, { clientId }: { clientId?: string } = {}): Promise<number> {
    const index = this.#keys.owner(group)
    const members = (await orUnavailable(this.#send({ key: index, isReadOnly: false, command: ['ZRANGE', index, '0', '-1'] }))) as string[]
    const chosen = members
      .map((member) => ({ member, memberClient: member.slice(0, member.indexOf('\n')), familyId: member.slice(member.indexOf('\n') + 1) }))
      .filter(({ memberClient }) => clientId === undefined || memberClient === clientId)
    if (chosen.length === 0) return 0
    // Each family in its own hash slot: one DEL each, all at once, then one ZREM for the index.
    const families = chosen.map(({ familyId }) => this.#keys.family(familyId))
    const deleted = await Promise.all(families.map((key) => orUnavailable(this.#send({ key, isReadOnly: false, command: ['DEL', key] }))))
    await orUnavailable(this.#send({ key: index, isReadOnly: false, command: ['ZREM', index, ...chosen.map(({ member }) => member)] }))
    await this.#durableAll(families)
    return deleted.reduce<number>((sum, one) => sum + Number(one), 0)
  }
}
