-- unban.lua: lifts bans: the addresses named, and every ban expired by now.
--
-- KEYS[1] the blacklist set   addresses drachtio-server drops unanswered
-- KEYS[2] <set>:until         sorted set: address scored by ban expiry (ms)
-- KEYS[3] <set>:info          hash: address -> JSON description
-- ARGV[1] now, ms since the epoch: bans that expired by then are lifted
-- ARGV[2 ..] addresses to lift whatever their expiry
-- Returns the addresses lifted: the named ones that were banned, then the
-- expired ones.

local lifted = {}
local function lift(address)
  if redis.call('SREM', KEYS[1], address) == 1 then table.insert(lifted, address) end
  redis.call('ZREM', KEYS[2], address)
  redis.call('HDEL', KEYS[3], address)
end
for i = 2, #ARGV do lift(ARGV[i]) end
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, address in ipairs(expired) do lift(address) end
return lifted
