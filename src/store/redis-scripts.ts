/**
 * Lua scripts: each runs atomically on the one slot a tenant's keys share.
 * A missing value is written "\0" in fingerprints, as fingerprintOf() does.
 */

const FINGERPRINT_OF_KEYS = `
local function value(key)
  local v = redis.call('GET', key)
  if v then return v end
  return '\\0'
end
local fingerprint = redis.sha1hex(value(KEYS[1]) .. '\\n' .. value(KEYS[2]) .. '\\n' .. value(KEYS[3]) .. '\\n' .. redis.call('HLEN', KEYS[4]))
`;

/** KEYS: cidrs, enabled, rev, entries. Returns the list's fingerprint. */
export const FINGERPRINT_LUA = `${FINGERPRINT_OF_KEYS}
return fingerprint`;

/**
 * KEYS: cidrs, enabled, rev, entries, audit.
 * ARGV: expected fingerprint ('' writes unconditionally), cidrs, enabled,
 * change channel, tenant, scope, audit record JSON ('' for none), audit
 * length bound, 'replace' (the entries hash from scratch) or 'patch', the
 * number D of fields to delete, those D fields, then field/value pairs to set.
 * Returns {1, new rev} or {0, current fingerprint} when someone wrote first.
 */
export const COMMIT_LUA = `${FINGERPRINT_OF_KEYS}
if ARGV[1] ~= '' and ARGV[1] ~= fingerprint then return {0, fingerprint} end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
if ARGV[9] == 'replace' then redis.call('DEL', KEYS[4]) end
-- In chunks of 1000 arguments: unpack() of a huge ARGV overflows the Lua stack.
local first = 11
local deleted = tonumber(ARGV[10])
for i = first, first + deleted - 1, 1000 do
  redis.call('HDEL', KEYS[4], unpack(ARGV, i, math.min(i + 999, first + deleted - 1)))
end
for i = first + deleted, #ARGV, 1000 do
  redis.call('HSET', KEYS[4], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
local rev = redis.call('INCR', KEYS[3])
if ARGV[7] ~= '' then
  local record = cjson.decode(ARGV[7])
  record.rev = rev
  redis.call('LPUSH', KEYS[5], cjson.encode(record))
  redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[8]) - 1)
end
redis.call('PUBLISH', ARGV[4], cjson.encode({tenant = ARGV[5], scope = ARGV[6], rev = rev}))
return {1, rev}`;
