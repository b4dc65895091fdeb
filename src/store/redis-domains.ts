/**
 * Which tenant a SIP domain belongs to, in Redis: the `{prefix}:domains` hash
 * the edges read. Names are stored as given; the admin core checks and
 * lower-cases them.
 */
import type { KeySchema } from './keys.js';
import type { RedisClient } from './redis-connection.js';

export class RedisDomains {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: KeySchema,
  ) {}

  async all(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.client.hgetall(this.keys.domains)));
  }

  async map(domain: string, tenant: string): Promise<void> {
    await this.client.hset(this.keys.domains, domain, tenant);
  }

  /** True when the domain was mapped. */
  async unmap(domain: string): Promise<boolean> {
    return (await this.client.hdel(this.keys.domains, domain)) > 0;
  }
}
