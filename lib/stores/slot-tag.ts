/**
 * The Redis Cluster hash tag of a stored id: its first character (one of 64 base64url
 * characters, so keys spread over 64 hash slots).
 *
 * A code key is `prefix + "{" + tag + "}code:" + id` and an idempotency record
 * `prefix + "{" + tag + "}idem:" + keyId`, so one script can touch both when their ids share
 * the tag. Redeeming only knows the code, so the tag comes from the code's own SHA-256; on a
 * Redis Cluster, an issuer that must write a code next to an idempotency record draws codes
 * until the tags agree (64 draws on average; see `RedisStore.acceptsCodeId`). Elsewhere any two
 * keys can share a script.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
export function slotTag(id: string): string {
  return id.charAt(0)
}
