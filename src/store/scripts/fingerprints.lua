-- fingerprints.lua: the fingerprints of any number of lists, in one call.
-- Uses list-fingerprint.lua.
--
-- KEYS: six per list, list after list: cidrs, enabled, rev, entries,
--       countries, countries:enabled.
--       Under Redis Cluster every key of one call must be in one slot: the
--       caller groups by tenant there.
-- ARGV: none.
-- Returns: one fingerprint per list, in the order of KEYS.

local fingerprints = {}
for i = 1, #KEYS, 6 do
  fingerprints[#fingerprints + 1] = list_fingerprint(KEYS[i], KEYS[i + 1], KEYS[i + 2], KEYS[i + 3], KEYS[i + 4], KEYS[i + 5])
end
return fingerprints
