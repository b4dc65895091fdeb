/**
 * The reconciliation read as sipwarden made it up to commit 7ca6a25, for
 * bench:store to measure against the batched one in the same run: an EVAL
 * per list, each carrying the script's whole text. Only the bench uses it.
 */
import type { Logger } from 'pino';
import { type KeySchema, listIdKey } from '../../src/store/keys.js';
import type { RedisClient } from '../../src/store/redis-connection.js';
import { RedisStoreMarker } from '../../src/store/redis-marker.js';
import { RedisListSource } from '../../src/store/redis-source.js';
import type { Marked } from '../../src/store/store-marker.js';

/** The script exactly as 7ca6a25 sent it, so its bytes on the wire are the old ones. */
const FINGERPRINT_LUA = `
local function value(key)
  local v = redis.call('GET', key)
  if v then return v end
  return '\\0'
end
local fingerprint = redis.sha1hex(value(KEYS[1]) .. '\\n' .. value(KEYS[2]) .. '\\n' .. value(KEYS[3]) .. '\\n' .. redis.call('HLEN', KEYS[4]))

return fingerprint`;

export class PerListEvalSource extends RedisListSource {
  constructor(
    private readonly redis: RedisClient,
    private readonly schema: KeySchema,
    logger: Logger,
  ) {
    super(redis, schema, logger);
  }

  override async fingerprints(): Promise<{ fingerprints: Map<string, string> } & Marked> {
    const ids = await this.listIds();
    const prints = await Promise.all(
      ids.map((id) => {
        const k = this.schema.list(id);
        return this.redis.eval(FINGERPRINT_LUA, 4, k.cidrs, k.enabled, k.rev, k.entries) as Promise<string>;
      }),
    );
    const marker = await new RedisStoreMarker(this.redis, this.schema.store).read();
    return { fingerprints: new Map(ids.map((id, i) => [listIdKey(id), prints[i]!])), marker };
  }
}
