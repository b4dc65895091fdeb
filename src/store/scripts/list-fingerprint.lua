-- list-fingerprint.lua: not a script of its own. redis-scripts.ts puts it in
-- front of every script that names it, so the fingerprint is written once.
--
-- list_fingerprint(cidrs, enabled, rev, entries, countries, countries_enabled):
-- the six keys of one list (the string, the toggle, the revision, the
-- metadata hash, the country set, its toggle). Returns the SHA-1, in hex, of
-- the three strings and the number of metadata fields, joined by newlines, a
-- missing string written "\0", then, only when the country set or its toggle
-- exists, those two the same way: what fingerprintOf() in raw-list.ts computes
-- from the values it read.

local function string_or_nul(key)
  local v = redis.call('GET', key)
  if v then return v end
  return '\0'
end

local function list_fingerprint(cidrs, enabled, rev, entries, countries, countries_enabled)
  local text = string_or_nul(cidrs) .. '\n' .. string_or_nul(enabled) .. '\n' .. string_or_nul(rev) .. '\n' .. redis.call('HLEN', entries)
  local c = redis.call('GET', countries)
  local ce = redis.call('GET', countries_enabled)
  if c or ce then text = text .. '\n' .. (c or '\0') .. '\n' .. (ce or '\0') end
  return redis.sha1hex(text)
end
