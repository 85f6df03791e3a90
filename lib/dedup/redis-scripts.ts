import { LuaScript } from '../redis/lua-script';

/**
 * The dedup operations as Lua, so each is atomic on the server and one
 * round trip. A key holds either `LOCK_PREFIX + token` (a request is running
 * the handler) or `DONE` (handled); the prefix keeps a token from ever being
 * mistaken for the done marker, whatever the token is.
 */
export const LOCK_PREFIX = 'lock:';
const DONE = 'done';

const script = (source: string) => new LuaScript(source);

/** KEYS[1] key; ARGV[1] lock value, ARGV[2] lock TTL in ms → 'claimed' | 'in-flight' | 'done'. */
export const CLAIM = script(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'claimed' end
if redis.call('GET', KEYS[1]) == '${DONE}' then return 'done' end
return 'in-flight'
`);

/** KEYS[1] key; ARGV[1] lock value, ARGV[2] lock TTL in ms → 1 if extended, 0 if the lock is no longer ours. */
export const RENEW = script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`);

/**
 * KEYS[1] key; ARGV[1] done TTL in ms. Unconditional: work that succeeded is
 * done even if its lock expired meanwhile or another claim holds the key now.
 */
export const COMPLETE = script(`
redis.call('SET', KEYS[1], '${DONE}', 'PX', ARGV[1])
return 1
`);

/** KEYS[1] key; ARGV[1] lock value → 1 if released, 0 if the lock was no longer ours. */
export const RELEASE = script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
`);
