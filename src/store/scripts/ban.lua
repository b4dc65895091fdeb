-- ban.lua: bans one address, or extends its ban: the member of the set
-- drachtio-server's blacklist reads (--blacklist-redis-key), its expiry
-- beside it (set members have no TTL) and why it was banned.
--
-- KEYS[1] the blacklist set   addresses drachtio-server drops unanswered
-- KEYS[2] <set>:until         sorted set: address scored by ban expiry (ms)
-- KEYS[3] <set>:info          hash: address -> JSON {at, until, reason, ...}
-- ARGV[1] the address
-- ARGV[2] the ban's expiry, ms since the epoch
-- ARGV[3] the ban's JSON description
-- Returns 1 for a new ban, 0 for one extended (or already longer).

local added = redis.call('SADD', KEYS[1], ARGV[1])
local current = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]) or '0')
if tonumber(ARGV[2]) > current then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
end
return added
