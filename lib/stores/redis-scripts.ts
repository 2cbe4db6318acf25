import { LuaScript } from './redis-commands.js'

// Values under a code key start with `L` (live) or `C` (consumed); the rest is the sealed record.

/**
 * Marks a live code consumed and returns what it held, in one atomic step: `L…` was live (this
 * call consumed it), `C…` was already consumed (a replay), nil is unknown or expired. The marker
 * keeps the original TTL, so reuse is detected until the code would have expired; the code's
 * passcode (KEYS[2]) goes with it.
 */
export const CONSUME = new LuaScript(`
local v = redis.call('GET', KEYS[1])
if not v then return false end
if string.sub(v, 1, 1) == 'L' then
  redis.call('SET', KEYS[1], 'C' .. string.sub(v, 2), 'KEEPTTL')
  redis.call('DEL', KEYS[2])
end
return v
`)

/**
 * Takes an idempotency key or returns what its record holds. A record is one string: `P` +
 * holder + space + fingerprint while its request runs, `D` + fingerprint + space + sealed answer
 * once it answered. Nil: this caller holds the key now.
 */
export const CLAIM = new LuaScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], 'P' .. ARGV[2] .. ' ' .. ARGV[1], 'PX', ARGV[3])
return false
`)

/** Whether the idempotency record `idem` is held by `holder`: its fingerprint if so. */
const HELD_BY = `
local function held_by(idem, holder)
  local v = redis.call('GET', idem)
  local prefix = 'P' .. holder .. ' '
  if not v or string.sub(v, 1, #prefix) ~= prefix then return nil end
  return string.sub(v, #prefix + 1)
end
`

/**
 * Saves a code (KEYS 1), its passcode (KEYS 2, when ARGV 3 holds its HMAC: attempts left + space
 * + HMAC + space + wrapped key) and, when ARGV 6 names the holder of an idempotency key (KEYS 3),
 * the answer of its request: all or nothing.
 * ARGV: value, ttl ms, passcode HMAC, wrapped key, attempts, holder, answer, record ttl s.
 */
const SAVE_CODE = `${HELD_BY}
local function save_code(code, passcode, idem, a)
  local fingerprint
  if a[6] ~= '' then
    fingerprint = held_by(idem, a[6])
    if not fingerprint then return false end
  end
  if not redis.call('SET', code, 'L' .. a[1], 'PX', a[2], 'NX') then return false end
  if a[3] ~= '' then redis.call('SET', passcode, a[5] .. ' ' .. a[3] .. ' ' .. a[4], 'PX', a[2]) end
  if fingerprint then redis.call('SET', idem, 'D' .. fingerprint .. ' ' .. a[7], 'EX', a[8]) end
  return true
end
`

/** Files a code under its owner: a sorted set by expiry, pruned as it goes, that lives as long as its last code. */
const FILE_CODE = `
local function file_code(index, member, expires_at, now)
  redis.call('ZADD', index, expires_at, member)
  redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
  if redis.call('PTTL', index) < tonumber(expires_at) - tonumber(now) then redis.call('PEXPIREAT', index, expires_at) end
end
`

/**
 * Points a (client, user) passcode pointer at a code: its value is the code's id, then a space
 * and the binding its passcode asks for when bound. Returns the id it pointed at before.
 */
const POINT_CODE = `
local function point_code(pointer, value, expires_at)
  local before = redis.call('SET', pointer, value, 'PXAT', expires_at, 'GET')
  return before and string.match(before, '^[^ ]*')
end
`

/** {@link SAVE_CODE} alone: KEYS code, passcode, idempotency record. */
export const SAVE = new LuaScript(`${SAVE_CODE}
return save_code(KEYS[1], KEYS[2], KEYS[3], ARGV) and 1 or 0
`)

/** {@link FILE_CODE} alone: KEYS owner index; ARGV member, expiry ms, now ms. */
export const FILE = new LuaScript(`${FILE_CODE}
file_code(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
return 1
`)

/** {@link POINT_CODE} alone: KEYS passcode pointer; ARGV pointer value, expiry ms. */
export const POINT = new LuaScript(`${POINT_CODE}
return point_code(KEYS[1], ARGV[1], ARGV[2])
`)

/**
 * All in one step, where every key is on one server: KEYS code, passcode, idempotency record,
 * then owner index and passcode pointer when given; ARGV those of {@link SAVE_CODE}, then member,
 * now ms and, to point, the pointer value. Returns `{ saved, code the pointer pointed at before }`.
 */
export const SAVE_AND_FILE = new LuaScript(`${SAVE_CODE}${FILE_CODE}${POINT_CODE}
if not save_code(KEYS[1], KEYS[2], KEYS[3], ARGV) then return {0} end
if not KEYS[4] then return {1} end
local expires_at = tostring(tonumber(ARGV[10]) + tonumber(ARGV[2]))
file_code(KEYS[4], ARGV[9], expires_at, ARGV[10])
if not KEYS[5] then return {1} end
return {1, point_code(KEYS[5], ARGV[11], expires_at) or ''}
`)

/** Drops an idempotency key only if `owner` still holds it. */
export const RELEASE = new LuaScript(`${HELD_BY}
if held_by(KEYS[1], ARGV[1]) then redis.call('DEL', KEYS[1]) end
return 1
`)

/** Deletes a code that is still live, and its passcode; a consumed one keeps its reuse marker. Returns 1 when it deleted. */
export const REVOKE = new LuaScript(`
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 1) == 'L' then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
return 0
`)
