import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { DNS_DEFAULTS } from '../../src/dns/index.js';

const BASE = { DRACHTIO_SECRET: 'cymru', SIP_UPSTREAM: 'sip:pbx.internal:5060' };

describe('DNS settings from the environment', () => {
  it('defaults to the system resolver and the documented clamps', () => {
    const loaded = loadConfig(BASE);
    if (!loaded.ok) throw new Error(loaded.report);
    expect(loaded.config.store.dns).toEqual(DNS_DEFAULTS);
    expect(DNS_DEFAULTS).toMatchObject({ servers: [], minTtlMs: 10_000, maxTtlMs: 300_000, graceMs: 300_000, maxAddresses: 32 });
  });

  it('reads servers, clamps, grace, cap and timeout', () => {
    const loaded = loadConfig({
      ...BASE,
      REDIS_URL: 'redis://127.0.0.1:6379',
      SIPWARDEN_DNS_SERVERS: '192.0.2.53, [2001:db8::53]:5353',
      SIPWARDEN_DNS_MIN_TTL_MS: '1000',
      SIPWARDEN_DNS_MAX_TTL_MS: '60000',
      SIPWARDEN_DNS_GRACE_MS: '0',
      SIPWARDEN_DNS_MAX_ADDRESSES: '4',
      SIPWARDEN_DNS_TIMEOUT_MS: '500',
    });
    if (!loaded.ok) throw new Error(loaded.report);
    expect(loaded.config.store.dns).toEqual({ servers: ['192.0.2.53', '[2001:db8::53]:5353'], minTtlMs: 1000, maxTtlMs: 60_000, graceMs: 0, maxAddresses: 4, timeoutMs: 500 });
  });

  it('names each bad variable', () => {
    const loaded = loadConfig({
      ...BASE,
      SIPWARDEN_DNS_SERVERS: '192.0.2.53,dns.example',
      SIPWARDEN_DNS_MIN_TTL_MS: '60000',
      SIPWARDEN_DNS_MAX_TTL_MS: '1000',
      SIPWARDEN_DNS_MAX_ADDRESSES: '0',
    });
    expect(loaded.ok).toBe(false);
    const errors = loaded.ok ? [] : loaded.errors;
    expect(errors).toEqual([
      'SIPWARDEN_DNS_SERVERS: expected comma-separated ip[:port] ([ipv6]:port with a port), got "dns.example"',
      'SIPWARDEN_DNS_MAX_TTL_MS: expected at least SIPWARDEN_DNS_MIN_TTL_MS (60000), got "1000"',
      'SIPWARDEN_DNS_MAX_ADDRESSES: expected a whole number from 1 to 1024, got "0"',
    ]);
  });
});
