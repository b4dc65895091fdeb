-- commit.lua: one write of one list, atomically: compare-and-set on the
-- list's fingerprint, the enforced string, the toggle, the metadata fields,
-- the revision, the audit record, the country set when the write names one,
-- and the change notification.
-- Uses list-fingerprint.lua.
--
-- KEYS[1] cidrs    the list's enforced string
-- KEYS[2] enabled  its toggle
-- KEYS[3] rev      its revision
-- KEYS[4] entries  its metadata hash
-- KEYS[5] audit    the tenant's audit log
-- KEYS[6] countries          } in the fingerprint; written only when
-- KEYS[7] countries:enabled  } ARGV[10] is 'set'
-- ARGV[1]  expected fingerprint; '' writes unconditionally
-- ARGV[2]  the new enforced string
-- ARGV[3]  the new toggle
-- ARGV[4]  the change channel
-- ARGV[5]  tenant            } published on the channel
-- ARGV[6]  scope             } with the new revision
-- ARGV[7]  audit record: a JSON object with at least one field, written as
--          sent with "rev" put in front; '' for none
-- ARGV[8]  the audit log's length bound
-- ARGV[9]  'replace' (the metadata hash from scratch) or 'patch'
-- ARGV[10] 'set': store ARGV[11] (the country set) and ARGV[12] (its toggle);
--          'keep': leave both as they are
-- ARGV[13] D, the number of metadata fields to delete
-- ARGV[14 .. 13+D]  those D fields
-- ARGV[14+D ..]     field, value, field, value, ... to set
-- Returns: {1, new rev}, or {0, current fingerprint} when someone wrote since
-- the expected fingerprint was read.

local fingerprint = list_fingerprint(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[6], KEYS[7])
if ARGV[1] ~= '' and ARGV[1] ~= fingerprint then return {0, fingerprint} end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
if ARGV[9] == 'replace' then redis.call('DEL', KEYS[4]) end
if ARGV[10] == 'set' then
  redis.call('SET', KEYS[6], ARGV[11])
  redis.call('SET', KEYS[7], ARGV[12])
end
-- In chunks of 1000 arguments: unpack() of a huge ARGV overflows the Lua stack.
local first = 14
local deleted = tonumber(ARGV[13])
for i = first, first + deleted - 1, 1000 do
  redis.call('HDEL', KEYS[4], unpack(ARGV, i, math.min(i + 999, first + deleted - 1)))
end
for i = first + deleted, #ARGV, 1000 do
  redis.call('HSET', KEYS[4], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
local rev = redis.call('INCR', KEYS[3])
if ARGV[7] ~= '' then
  -- Spliced in as text, not decoded and encoded again: cjson would write the
  -- record's empty arrays (no entry added or removed) as {}.
  redis.call('LPUSH', KEYS[5], '{"rev":' .. string.format('%d', rev) .. ',' .. string.sub(ARGV[7], 2))
  redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[8]) - 1)
end
redis.call('PUBLISH', ARGV[4], cjson.encode({tenant = ARGV[5], scope = ARGV[6], rev = rev}))
return {1, rev}
