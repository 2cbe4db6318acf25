import { LuaScript } from './redis-commands.js'

// The scripts of refresh-token families on Redis (see `RefreshKeys` for what each key holds).

/**
 * Milliseconds on the clock of the Redis node that runs the script: every process and every
 * presentation of a family's tokens reads the same clock, whatever the app hosts' clocks say.
 */
const NOW_MS = `
local function now_ms()
  local t = redis.call('TIME')
  return t[1] * 1000 + math.floor(t[2] / 1000)
end
`

/** Saves a family (KEYS 2) and its first token (KEYS 1). ARGV: sealed record, idle ms, max lifetime ms, token id. */
export const MINT = new LuaScript(`${NOW_MS}
local ttl = string.format('%d', math.min(tonumber(ARGV[2]), tonumber(ARGV[3])))
redis.call('SET', KEYS[2], ARGV[4] .. ' ' .. string.format('%d', now_ms() + tonumber(ARGV[3])), 'PX', ttl)
redis.call('SET', KEYS[1], 'L' .. ARGV[1], 'PX', ttl)
return 1
`)

/**
 * One presentation of a token (KEYS 1) of a family (KEYS 2), decided in one step. A live token
 * that is its family's live one is marked rotated (keeping its own TTL, so a replay is told from
 * an unknown token until the token would have expired) and its successor (KEYS 3) becomes the
 * family's live token, the family living as long as it: `idle` ms, never past the family's end.
 * A token rotated less than `interval` ms ago is refused as it is; one rotated before that (any
 * time before, when `interval` is 0) is a replay, and the family goes (its newest token with it:
 * every rotation needs the family). A live token whose family is gone is deleted. ARGV: token
 * id, successor id (empty when the token was read rotated), idle ms, interval ms, successor's
 * sealed record.
 */
export const ROTATE = new LuaScript(`${NOW_MS}
local v = redis.call('GET', KEYS[1])
if not v then return {'missing'} end
local now = now_ms()
if string.sub(v, 1, 1) == 'C' then
  local interval = tonumber(ARGV[4])
  if interval > 0 and now - tonumber(string.match(v, '^C(%d+)')) < interval then return {'recent'} end
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
redis.call('SET', KEYS[1], 'C' .. string.format('%d', now) .. ' ' .. string.sub(v, 2), 'KEEPTTL')
redis.call('SET', KEYS[3], 'L' .. ARGV[5], 'PX', ttl)
redis.call('SET', KEYS[2], ARGV[2] .. ' ' .. ends, 'PX', ttl)
return {'rotated'}
`)

/** What {@link ROTATE} answers: its decision, and for a replay whether the family was still there to delete. */
export type RotateReply = ['missing' | 'recent' | 'revoked' | 'rotated'] | ['reused', number]
