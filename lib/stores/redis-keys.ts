import { groupTag, slotTag } from './slot-tag.js'

/**
 * Where a {@link RedisStore} keeps each thing under its prefix. The hash tag `{t}` is
 * {@link slotTag} of the id, so that every script touches keys of one Redis Cluster hash slot: a
 * code, its passcode, its cross-device approval and (its tag chosen to match) its idempotency
 * record share one; an owner's index has its own ({@link groupTag}), and a passcode pointer shares
 * its own with its group's failure count.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  code(id: string): string {
    return `${this.prefix}{${slotTag(id)}}code:${id}`
  }

  /** The passcode of the code `id`. */
  passcode(id: string): string {
    return `${this.prefix}{${slotTag(id)}}pin:${id}`
  }

  /** The cross-device approval of the code `id` (SPEC §3.5c): in its code's hash slot, so one script decides and burns both. */
  approval(id: string): string {
    return `${this.prefix}{${slotTag(id)}}approval:${id}`
  }

  idempotency(keyId: string): string {
    return `${this.prefix}{${slotTag(keyId)}}idem:${keyId}`
  }

  /** The live codes of an owner group, by expiry. */
  owner(group: string): string {
    return `${this.prefix}{${groupTag(group)}}owner:${group}`
  }

  /** The code whose passcode is the live one of a (client, user) group, and the binding it asks for. */
  pointer(group: string): string {
    return `${this.prefix}{${groupTag(group)}}pinref:${group}`
  }

  /** The wrong passcodes a (client, user) group was charged in its window: in its pointer's hash slot, so one script counts and reads both. */
  failures(group: string): string {
    return `${this.prefix}{${groupTag(group)}}pinfail:${group}`
  }

  /** A client that arrived at run time (registered, or a cached metadata document). */
  client(id: string): string {
    return `${this.prefix}client:${id}`
  }

  /** A pushed authorization request (`POST /par`). */
  pushed(id: string): string {
    return `${this.prefix}par:${id}`
  }

  once(id: string): string {
    return `${this.prefix}once:${id}`
  }
}
