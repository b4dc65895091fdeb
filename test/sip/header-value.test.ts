import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type StoredHeaderName, headerValue, parsedTo } from '../../src/sip/header-value.js';
import { FIXTURES, fixture, inbound } from './drachtio-message.js';

const ARRIVAL = { protocol: 'udp', source: '192.0.2.10', port: 5060, receivedOn: '127.0.0.1:5060', server: 'udp/127.0.0.1:5060' } as const;
const NAMES: readonly StoredHeaderName[] = ['call-id', 'user-agent', 'max-forwards', 'proxy-require'];
const MESSAGES = readdirSync(new URL('messages/', FIXTURES));

/** Each of the fixtures' header lines rewritten: names in other cases, compact forms, repeated fields. */
const VARIANTS: Record<string, (raw: string) => string> = {
  'as written': (raw) => raw,
  'names upper case': (raw) => raw.replace(/^(Call-ID|User-Agent|Max-Forwards|To):/gim, (name) => name.toUpperCase()),
  'names lower case': (raw) => raw.replace(/^(Call-ID|User-Agent|Max-Forwards|To):/gim, (name) => name.toLowerCase()),
  'compact forms (RFC 3261 §7.3.3)': (raw) => raw.replace(/^Call-ID:/im, 'i:').replace(/^To:/im, 't:'),
  'a repeated Proxy-Require': (raw) => raw.replace(/^(Max-Forwards: .*)$/m, '$1\r\nProxy-Require: foo\r\nproxy-require: bar, baz'),
};

describe('headerValue and parsedTo: what drachtio-srf would return, without asking it', () => {
  for (const file of MESSAGES) {
    for (const [variant, rewrite] of Object.entries(VARIANTS)) {
      it(`${file}, ${variant}`, () => {
        const { req } = inbound(rewrite(fixture(file)), ARRIVAL);
        for (const name of NAMES) expect(headerValue(req, name), name).toBe(req.get(name));
        expect(parsedTo(req)).toEqual(req.getParsedHeader('To'));
      });
    }
  }

  it('reads what the request carries, and nothing for a field it lacks', () => {
    const { req } = inbound(VARIANTS['a repeated Proxy-Require']!(fixture('deskphone-udp-register.sip')), ARRIVAL);
    expect(headerValue(req, 'proxy-require')).toBe('foo,bar, baz');
    expect(headerValue(req, 'call-id')).toMatch(/\S/);
    const bare = inbound(fixture('deskphone-udp-register.sip').replace(/^User-Agent: .*\r\n/im, ''), ARRIVAL).req;
    expect(headerValue(bare, 'user-agent')).toBeUndefined();
  });

  it('throws for a request with no To, as getParsedHeader does (the filter then fails closed)', () => {
    const { req } = inbound(fixture('deskphone-udp-register.sip').replace(/^To: .*\r\n/im, ''), ARRIVAL);
    expect(() => req.getParsedHeader('To')).toThrow();
    expect(() => parsedTo(req)).toThrow(/no To header/);
  });
});
