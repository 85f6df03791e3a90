import { LuaScript } from '../redis/lua-script';

/**
 * Every state change of an entry is one Lua script, so it is atomic: the
 * entry's hash, its stream message and the state indexes never disagree.
 * Keys computed inside a script share the inbox's hash tag ({prefix}), so
 * they live in one slot.
 *
 * An entry is leased while its stream message is in this consumer's pending
 * list; `owned` checks that before any outcome is recorded.
 */
/** KEYS[2] stream, ARGV[1] group, ARGV[2] message id, ARGV[3] consumer: returns 0 unless the message is in this consumer's pending list. */
const HELD = `local owned = redis.call('XPENDING', KEYS[2], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3])
if #owned == 0 then return 0 end`;

/** KEYS[2] stream, ARGV[1] group, ARGV[2] message id: the message is done with, acked and deleted. */
const DROP_MESSAGE = `redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[2], ARGV[2])`;

const OWNED = `
${HELD}
${DROP_MESSAGE}
`;

export const scripts = {
  /** KEYS: entry, stream, pending. ARGV: key, provider, event, now. 1 stored, 0 duplicate. */
  put: new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local sid = redis.call('XADD', KEYS[2], '*', 'key', ARGV[1])
redis.call('HSET', KEYS[1], 'provider', ARGV[2], 'event', ARGV[3], 'state', 'pending', 'attempts', 0,
  'storedAt', ARGV[4], 'nextAttemptAt', ARGV[4], 'sid', sid)
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return 1`),

  /** KEYS: retry. ARGV: base, now, limit. Due retries go back on their provider's stream. */
  promote: new LuaScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
for _, key in ipairs(due) do
  redis.call('ZREM', KEYS[1], key)
  local entry = ARGV[1] .. ':entry:' .. key
  local provider = redis.call('HGET', entry, 'provider')
  if provider and redis.call('HGET', entry, 'state') == 'pending' then
    local sid = redis.call('XADD', ARGV[1] .. ':stream:' .. provider, '*', 'key', key)
    redis.call('HSET', entry, 'sid', sid)
  end
end
return #due`),

  /**
   * KEYS: entry, stream. ARGV: group, id. Starts an attempt on a message this
   * consumer just read or reclaimed: {attempts, event, storedAt}, or nil for a
   * stale message (the entry moved on), which is dropped.
   */
  start: new LuaScript(`
local state = redis.call('HMGET', KEYS[1], 'state', 'sid', 'event', 'storedAt')
if state[1] ~= 'pending' or state[2] ~= ARGV[2] then
${DROP_MESSAGE}
  return nil
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
return {attempts, state[3], state[4]}`),

  /** KEYS: entry, stream. ARGV: group, id, consumer. Resets the message's idle time: the lease goes on. */
  renew: new LuaScript(`
${HELD}
redis.call('XCLAIM', KEYS[2], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID')
return 1`),

  /** KEYS: entry, stream, pending, done. ARGV: group, id, consumer, key, now. */
  complete: new LuaScript(`${OWNED}
redis.call('HSET', KEYS[1], 'state', 'done', 'finishedAt', ARGV[5])
redis.call('HDEL', KEYS[1], 'nextAttemptAt', 'lastError', 'sid')
redis.call('ZREM', KEYS[3], ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[4])
return 1`),

  /** KEYS: entry, stream, retry. ARGV: group, id, consumer, key, nextAttemptAt, error. */
  retry: new LuaScript(`${OWNED}
redis.call('HSET', KEYS[1], 'nextAttemptAt', ARGV[5], 'lastError', ARGV[6])
redis.call('HDEL', KEYS[1], 'sid')
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4])
return 1`),

  /** KEYS: entry, stream, pending, dead. ARGV: group, id, consumer, key, now, error. */
  bury: new LuaScript(`${OWNED}
redis.call('HSET', KEYS[1], 'state', 'dead', 'finishedAt', ARGV[5], 'lastError', ARGV[6])
redis.call('HDEL', KEYS[1], 'nextAttemptAt', 'sid')
redis.call('ZREM', KEYS[3], ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[4])
return 1`),

  /** KEYS: entry, retry, pending, dead. ARGV: base, key, now. 1 when replayed. */
  replay: new LuaScript(`
local entry = redis.call('HMGET', KEYS[1], 'state', 'provider', 'storedAt')
if entry[1] == 'dead' then
  local sid = redis.call('XADD', ARGV[1] .. ':stream:' .. entry[2], '*', 'key', ARGV[2])
  redis.call('HSET', KEYS[1], 'state', 'pending', 'attempts', 0, 'nextAttemptAt', ARGV[3], 'sid', sid)
  redis.call('HDEL', KEYS[1], 'finishedAt')
  redis.call('ZREM', KEYS[4], ARGV[2])
  redis.call('ZADD', KEYS[3], entry[3], ARGV[2])
  return 1
end
if entry[1] == 'pending' then
  redis.call('HSET', KEYS[1], 'attempts', 0, 'nextAttemptAt', ARGV[3])
  if redis.call('ZSCORE', KEYS[2], ARGV[2]) then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2]) end
  return 1
end
return 0`),

  /** KEYS: index (done or dead). ARGV: base, max score, limit. Deletes entries of that index. */
  purge: new LuaScript(`
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
for _, key in ipairs(keys) do
  redis.call('DEL', ARGV[1] .. ':entry:' .. key)
  redis.call('ZREM', KEYS[1], key)
end
return #keys`),
};
