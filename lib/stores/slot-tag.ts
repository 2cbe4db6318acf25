/**
 * The Redis Cluster hash tag of a code's or an idempotency record's id: its first two
 * characters (4,096 tags, spread over the hash slots).
 *
 * A code key is `prefix + "{" + tag + "}code:" + id` and an idempotency record
 * `prefix + "{" + tag + "}idem:" + keyId`, so one script can touch both when the ids share the
 * tag. A code's id starts with the code's own first two characters (SPEC §4): an issuer that
 * must write a code next to an idempotency record chooses those two characters to be the
 * record id's (see `RedisStore.acceptsCodeId`), and redeeming finds the tag in the code. Codes and
 * records of 0.x, whose tag was the first character of a hash, are not found under these keys.
 * Elsewhere any two keys can share a script.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
export function slotTag(id: string): string {
  return id.slice(0, 2)
}

/**
 * The hash tag of a group's keys (an owner's index, a passcode pointer and its failure count):
 * the group id's first character, 64 tags, as in 0.x, so that failure counts and indexes
 * outlive an upgrade. No script touches a group's keys together with a code's.
 */
export function groupTag(group: string): string {
  return group.charAt(0)
}
