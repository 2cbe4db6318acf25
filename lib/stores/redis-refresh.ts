import type { NewRefreshFamily, RefreshRotation, RefreshTokenState, RefreshTokenStore, RotationResult } from '../../types/refresh.js'
import { StoreUnavailableError } from '../errors/problems.js'
import { orUnavailable, type SendRedisCommand } from './redis-commands.js'
import { MINT, ROTATE, type RotateReply } from './redis-refresh-scripts.js'
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
    // The index has its own hash slot: filed beside the family, sent together (one round trip on one connection).
    const args = [value, String(idleMs), String(maxLifetimeMs), tokenId]
    await Promise.all([
      orUnavailable(MINT.run(this.#send, [this.#keys.token(tokenId), this.#keys.family(familyId)], args)),
      orUnavailable(
        FILE.run(
          this.#send,
          [this.#keys.owner(owner.group)],
          [ownerMember(owner.clientId, familyId), String(now + maxLifetimeMs), String(now)],
        ),
      ),
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
    const args = [tokenId, successor?.id ?? '', String(idleMs), String(reuseIntervalMs), successor?.value ?? '']
    const { reply, waited } = await this.#runWaiting(keys, args)
    const [status, deleted] = reply
    // A rotation, or a revocation, that a failover could undo would let a spent or a thief's token work again.
    if (waited !== undefined && (status === 'rotated' || (status === 'reused' && deleted === 1))) throw waited
    return status === 'reused' ? { status, revoked: deleted === 1 } : { status }
  }

  /**
   * Runs {@link ROTATE} with the WAIT of `durability` sent right behind it, on the same connection
   * (the key routes both to the node of the token's hash slot): one round trip for both, since
   * Redis answers the WAIT once the replicas hold every earlier write of the connection, the
   * script's included. A node that had not loaded the script (NOSCRIPT) runs it by EVAL, and the
   * WAIT is sent again behind that. Resolves the reply and the WAIT's failure, if any.
   */
  async #runWaiting(keys: string[], args: string[]): Promise<{ reply: RotateReply; waited: unknown }> {
    const tail = [String(keys.length), ...keys, ...args]
    const run = (command: string, script: string) => this.#send({ key: keys[0], isReadOnly: false, command: [command, script, ...tail] })
    const wait = () =>
      this.#durable(keys[0] as string).then(
        () => undefined,
        (err: unknown) => err,
      )
    const evaluated = run('EVALSHA', ROTATE.sha).then(
      (reply) => ({ reply }),
      (error: unknown) => ({ error }),
    )
    const waiting = wait()
    const first = await evaluated
    if ('reply' in first) return { reply: first.reply as RotateReply, waited: await waiting }
    await waiting
    if (!(first.error instanceof Error) || !first.error.message.startsWith('NOSCRIPT')) throw new StoreUnavailableError(first.error)
    const reply = (await orUnavailable(run('EVAL', ROTATE.source))) as RotateReply
    return { reply, waited: await wait() }
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
