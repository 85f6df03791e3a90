import { LuaScript } from '../redis/lua-script';
import { HISTORY_LIMIT } from './storage';

/**
 * Every command of the inbox is a Lua script, with every key it touches
 * passed in KEYS, so that an ioredis client's `keyPrefix` applies to all of
 * them alike (ioredis prefixes a script's KEYS, but not the keys of every
 * stream command, nor keys a script builds). Where a script finds keys by an
 * entry's name, it builds them from BASE, a KEYS argument that is the
 * inbox's common prefix as sent. They all share the hash tag ({prefix}), so
 * they live in one slot.
 *
 * Every state change of an entry is one script, so it is atomic: the entry's
 * hash, its stream message and the state indexes never disagree.
 *
 * An entry is leased while its stream message is in this consumer's pending
 * list and its hash holds the lease's token; `HELD` checks both before any
 * outcome is recorded, so a stale run (its lease taken over, even by this
 * very consumer) records nothing.
 */

/** KEYS[1] entry, KEYS[2] stream; ARGV[1] group, ARGV[2] message id, ARGV[3] consumer, ARGV[4] lease token: returns 0 unless the lease still holds. */
const HELD = `local owned = redis.call('XPENDING', KEYS[2], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3])
if #owned == 0 or redis.call('HGET', KEYS[1], 'lease') ~= ARGV[4] then return 0 end`;

/** KEYS[2] stream, ARGV[1] group, ARGV[2] message id: the message is done with, acked and deleted. */
const DROP_MESSAGE = `redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[2], ARGV[2])`;

/**
 * An entry's history is a list (`{prefix}:attempts:<key>`) of JSON records,
 * oldest first, kept to its newest HISTORY_LIMIT: a attempt number, o
 * outcome, s started, f finished, e error, l the lease token of a running
 * attempt. Written by the script that changes the entry's state.
 *
 * close(list, token, outcome, now, error): the records of that lease (any
 * lease for token false) that are still running get that outcome; for a
 * token given with running_only false, whatever their outcome.
 */
const HISTORY = `
local function close_attempts(list, token, outcome, now, err, running_only)
  for i, raw in ipairs(redis.call('LRANGE', list, 0, -1)) do
    local record = cjson.decode(raw)
    if (token == false or record.l == token) and (record.o == 'running' or not running_only) then
      record.o = outcome
      record.f = now
      if err then record.e = err end
      redis.call('LSET', list, i - 1, cjson.encode(record))
    end
  end
end
local function add_record(list, record)
  redis.call('RPUSH', list, cjson.encode(record))
  redis.call('LTRIM', list, -${HISTORY_LIMIT}, -1)
end
`;

/**
 * An outcome of the lease holder: nothing unless the lease holds; its attempt
 * closed, then the message dropped. The history goes first: Redis does not
 * undo a script's writes made before an error, and its read is the one
 * command here that can fail (a key of another type).
 */
const ownedClosing = (list: string, outcome: string, now: string, error: string) => `${HISTORY}
${HELD}
close_attempts(${list}, ARGV[4], '${outcome}', ${now}, ${error}, true)
${DROP_MESSAGE}
`;

export const scripts = {
  /** KEYS: entry, stream, pending, history. ARGV: key, provider, event, now. 1 stored, 0 duplicate. */
  put: new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
-- A history left by an entry deleted another way is not this one's.
redis.call('DEL', KEYS[4])
local sid = redis.call('XADD', KEYS[2], '*', 'key', ARGV[1])
redis.call('HSET', KEYS[1], 'provider', ARGV[2], 'event', ARGV[3], 'state', 'pending', 'attempts', 0,
  'storedAt', ARGV[4], 'nextAttemptAt', ARGV[4], 'sid', sid)
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return 1`),

  /** KEYS: stream. ARGV: group. Makes the consumer group (and the stream) unless it exists. */
  ensureGroup: new LuaScript(`
local reply = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
if type(reply) == 'table' and reply.err and not string.find(reply.err, '^BUSYGROUP') then return reply end
return 1`),

  /** KEYS: stream. ARGV: group, consumer, min idle ms, cursor, count. XAUTOCLAIM's reply. */
  reclaim: new LuaScript(`return redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5])`),

  /** KEYS: stream. ARGV: group, consumer, count. New messages for this consumer (XREADGROUP's reply). */
  read: new LuaScript(`return redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', KEYS[1], '>')`),

  /** KEYS: retry, BASE. ARGV: now, limit. Due retries go back on their provider's stream. */
  promote: new LuaScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, key in ipairs(due) do
  redis.call('ZREM', KEYS[1], key)
  local entry = KEYS[2] .. ':entry:' .. key
  local provider = redis.call('HGET', entry, 'provider')
  if provider and redis.call('HGET', entry, 'state') == 'pending' then
    local sid = redis.call('XADD', KEYS[2] .. ':stream:' .. provider, '*', 'key', key)
    redis.call('HSET', entry, 'sid', sid)
  end
end
return #due`),

  /**
   * KEYS: entry, stream, history. ARGV: group, id, lease token, now. Starts an
   * attempt on a message this consumer just read or reclaimed: {attempts,
   * event, budget start}, or nil for a stale message (the entry moved on),
   * which is dropped. An attempt still running in the history is one whose
   * lease ran out: it expired.
   */
  start: new LuaScript(`${HISTORY}
local state = redis.call('HMGET', KEYS[1], 'state', 'sid', 'event', 'storedAt', 'replayedAt')
if state[1] ~= 'pending' or state[2] ~= ARGV[2] then
${DROP_MESSAGE}
  return nil
end
close_attempts(KEYS[3], false, 'expired', ARGV[4], nil, true)
local attempts = tonumber(redis.call('HGET', KEYS[1], 'attempts')) + 1
add_record(KEYS[3], { a = attempts, o = 'running', s = ARGV[4], l = ARGV[3] })
redis.call('HSET', KEYS[1], 'attempts', attempts, 'lease', ARGV[3])
return {attempts, state[3], state[5] or state[4]}`),

  /** KEYS: entry, stream. ARGV: group, id, consumer, token. Resets the message's idle time: the lease goes on. */
  renew: new LuaScript(`
${HELD}
redis.call('XCLAIM', KEYS[2], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID')
return 1`),

  /** KEYS: entry, stream, pending, done, history. ARGV: group, id, consumer, token, key, now. */
  complete: new LuaScript(`${ownedClosing('KEYS[5]', 'delivered', 'ARGV[6]', 'nil')}
redis.call('HSET', KEYS[1], 'state', 'done', 'finishedAt', ARGV[6])
redis.call('HDEL', KEYS[1], 'nextAttemptAt', 'lastError', 'sid', 'lease')
redis.call('ZREM', KEYS[3], ARGV[5])
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[5])
return 1`),

  /** KEYS: entry, stream, retry, history. ARGV: group, id, consumer, token, key, nextAttemptAt, error, now. */
  retry: new LuaScript(`${ownedClosing('KEYS[4]', 'failed', 'ARGV[8]', 'ARGV[7]')}
redis.call('HSET', KEYS[1], 'nextAttemptAt', ARGV[6], 'lastError', ARGV[7])
redis.call('HDEL', KEYS[1], 'sid', 'lease')
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5])
return 1`),

  /** KEYS: entry, stream, pending, dead, history. ARGV: group, id, consumer, token, key, now, error. */
  bury: new LuaScript(`${ownedClosing('KEYS[5]', 'failed', 'ARGV[6]', 'ARGV[7]')}
redis.call('HSET', KEYS[1], 'state', 'dead', 'finishedAt', ARGV[6], 'lastError', ARGV[7])
redis.call('HDEL', KEYS[1], 'nextAttemptAt', 'sid', 'lease')
redis.call('ZREM', KEYS[3], ARGV[5])
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[5])
return 1`),

  /**
   * KEYS: entry, stream, retry, pending, dead, done, history. ARGV: group,
   * key, now, token. A run succeeded after its lease was given up: the entry
   * is done, whatever attempt (and lease) it is at, unless it is done
   * already. 1 when recorded. That run's attempt is delivered; one running
   * meanwhile is abandoned.
   */
  completeLate: new LuaScript(`${HISTORY}
local entry = redis.call('HMGET', KEYS[1], 'state', 'sid')
if entry[1] ~= 'pending' and entry[1] ~= 'dead' then return 0 end
close_attempts(KEYS[7], ARGV[4], 'delivered', ARGV[3], nil, false)
close_attempts(KEYS[7], false, 'abandoned', ARGV[3], nil, true)
if entry[2] then
  redis.call('XACK', KEYS[2], ARGV[1], entry[2])
  redis.call('XDEL', KEYS[2], entry[2])
end
redis.call('HSET', KEYS[1], 'state', 'done', 'finishedAt', ARGV[3])
redis.call('HDEL', KEYS[1], 'nextAttemptAt', 'lastError', 'sid', 'lease')
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[2])
redis.call('ZREM', KEYS[5], ARGV[2])
redis.call('ZADD', KEYS[6], ARGV[3], ARGV[2])
return 1`),

  /** KEYS: entry, retry, pending, dead, BASE, history. ARGV: key, now. 1 when replayed; its attempt budget starts again now. */
  replay: new LuaScript(`${HISTORY}
local entry = redis.call('HMGET', KEYS[1], 'state', 'provider', 'storedAt')
if entry[1] == 'dead' or entry[1] == 'pending' then add_record(KEYS[6], { a = 0, o = 'replayed', s = ARGV[2] }) end
if entry[1] == 'dead' then
  local sid = redis.call('XADD', KEYS[5] .. ':stream:' .. entry[2], '*', 'key', ARGV[1])
  redis.call('HSET', KEYS[1], 'state', 'pending', 'attempts', 0, 'nextAttemptAt', ARGV[2], 'replayedAt', ARGV[2], 'sid', sid)
  redis.call('HDEL', KEYS[1], 'finishedAt')
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('ZADD', KEYS[3], entry[3], ARGV[1])
  return 1
end
if entry[1] == 'pending' then
  redis.call('HSET', KEYS[1], 'attempts', 0, 'nextAttemptAt', ARGV[2], 'replayedAt', ARGV[2])
  if redis.call('ZSCORE', KEYS[2], ARGV[1]) then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) end
  return 1
end
return 0`),

  /** KEYS: index (done or dead), BASE. ARGV: max score, limit. Deletes entries of that index, with their history. */
  purge: new LuaScript(`
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, key in ipairs(keys) do
  redis.call('DEL', KEYS[2] .. ':entry:' .. key, KEYS[2] .. ':attempts:' .. key)
  redis.call('ZREM', KEYS[1], key)
end
return #keys`),

  /**
   * KEYS: stream. ARGV: group, this consumer, idle ms. Forgets other
   * consumers (stopped instances) with nothing pending, idle that long.
   */
  forgetIdleConsumers: new LuaScript(`
local consumers = redis.pcall('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if type(consumers) ~= 'table' or consumers.err then return 0 end
local forgotten = 0
for _, fields in ipairs(consumers) do
  local info = {}
  for i = 1, #fields, 2 do info[fields[i]] = fields[i + 1] end
  if info['name'] ~= ARGV[2] and tonumber(info['pending']) == 0 and tonumber(info['idle']) > tonumber(ARGV[3]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], info['name'])
    forgotten = forgotten + 1
  end
end
return forgotten`),

  /** KEYS: entries. Each entry's provider and storedAt, for `list`'s order. */
  listFacts: new LuaScript(`
local facts = {}
for i, key in ipairs(KEYS) do facts[i] = redis.call('HMGET', key, 'provider', 'storedAt') end
return facts`),
};
