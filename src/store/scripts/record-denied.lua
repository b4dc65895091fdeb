-- record-denied.lua: adds one interval's denied sources of one tenant into
-- its bounded record of who was refused (issue 14), atomically.
--
-- KEYS[1] denied       hash: "scope/address" -> JSON {count, firstSeen,
--                      lastSeen, method, transport, userAgent?, domain?}
-- KEYS[2] denied:seen  sorted set: "scope/address" scored by lastSeen (ms)
-- ARGV[1] the most sources kept for the tenant: past it the least recently
--         seen are dropped
-- ARGV[2] seconds both keys live after the last denial recorded
-- ARGV[3 ..] one JSON row a source: {field, count, firstSeen, lastSeen,
--         method, transport, userAgent?, domain?}
-- Returns the number of sources the tenant's record holds.

for i = 3, #ARGV do
  local row = cjson.decode(ARGV[i])
  local field = row.field
  row.field = nil
  local old = redis.call('HGET', KEYS[1], field)
  if old then
    -- A value that does not decode (written by hand) is replaced, not merged.
    local ok, was = pcall(cjson.decode, old)
    if ok and type(was) == 'table' and type(was.count) == 'number' then
      row.count = row.count + was.count
      if type(was.firstSeen) == 'number' and was.firstSeen < row.firstSeen then row.firstSeen = was.firstSeen end
      if type(was.lastSeen) == 'number' and was.lastSeen > row.lastSeen then
        -- The stored sighting is the later one (another edge's): its description stays.
        row.lastSeen = was.lastSeen
        row.method = was.method
        row.transport = was.transport
        row.userAgent = was.userAgent
        row.domain = was.domain
      end
    end
  end
  redis.call('HSET', KEYS[1], field, cjson.encode(row))
  redis.call('ZADD', KEYS[2], row.lastSeen, field)
end
local cap = tonumber(ARGV[1])
local held = redis.call('ZCARD', KEYS[2])
if held > cap then
  local dropped = redis.call('ZRANGE', KEYS[2], 0, held - cap - 1)
  for i = 1, #dropped, 1000 do
    redis.call('HDEL', KEYS[1], unpack(dropped, i, math.min(i + 999, #dropped)))
  end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, held - cap - 1)
  held = cap
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
return held
