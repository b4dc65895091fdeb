-- list-fingerprint.lua: not a script of its own. redis-scripts.ts puts it in
-- front of every script that names it, so the fingerprint is written once.
--
-- list_fingerprint(cidrs, enabled, rev, entries): the four keys of one list
-- (the string, the toggle, the revision, the metadata hash). Returns the
-- SHA-1, in hex, of the three strings and the number of metadata fields,
-- joined by newlines, a missing string written "\0": what fingerprintOf() in
-- raw-list.ts computes from the values it read.

local function string_or_nul(key)
  local v = redis.call('GET', key)
  if v then return v end
  return '\0'
end

local function list_fingerprint(cidrs, enabled, rev, entries)
  return redis.sha1hex(string_or_nul(cidrs) .. '\n' .. string_or_nul(enabled) .. '\n' .. string_or_nul(rev) .. '\n' .. redis.call('HLEN', entries))
end
