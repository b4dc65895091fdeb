-- fingerprints.lua: the fingerprints of any number of lists, in one call.
-- Uses list-fingerprint.lua.
--
-- KEYS: four per list, list after list: cidrs, enabled, rev, entries.
--       Under Redis Cluster every key of one call must be in one slot: the
--       caller groups by tenant there.
-- ARGV: none.
-- Returns: one fingerprint per list, in the order of KEYS.

local fingerprints = {}
for i = 1, #KEYS, 4 do
  fingerprints[#fingerprints + 1] = list_fingerprint(KEYS[i], KEYS[i + 1], KEYS[i + 2], KEYS[i + 3])
end
return fingerprints
