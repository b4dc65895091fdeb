import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerFieldValues } from '../../src/sip/header-fields.js';
import { compileForwardingTrust, sourceOf } from '../../src/sip/request-source.js';
import { fixture } from './drachtio-message.js';
import { cidrFixture } from './harness.js';

function trust(proxies: string) {
  const result = compileForwardingTrust(proxies);
  if (!result.ok) throw new Error(result.message);
  return result.trust;
}

function request(forwarded: string[], source = '10.20.0.5') {
  const raw = ['REGISTER sip:acme.example SIP/2.0', ...forwarded.map((v) => `X-Forwarded-For: ${v}`), 'Content-Length: 0', '', ''].join('\r\n');
  return { source_address: source, source_port: 5060, raw };
}

describe('headerFieldValues', () => {
  it('finds every spelling in order, unfolds continuation lines and stops at the body', () => {
    const raw = 'INVITE sip:a@b SIP/2.0\r\nx-forwarded-for: 1.1.1.1\r\nVia: x\r\nX-FORWARDED-FOR : 2.2.2.2,\r\n 3.3.3.3\r\n\r\nX-Forwarded-For: 9.9.9.9\r\n';
    expect(headerFieldValues(raw, 'X-Forwarded-For')).toEqual(['1.1.1.1', '2.2.2.2, 3.3.3.3']);
  });

  it('reads what splitting the message into lines reads, for any message', () => {
    // The plain reading the index walk replaced: one array of lines per message.
    const bySplitting = (raw: string, name: string): string[] => {
      const values: string[] = [];
      let current = -1;
      const lines = raw.split(/\r?\n/);
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!;
        if (line === '') break;
        if (line.startsWith(' ') || line.startsWith('\t')) {
          if (current >= 0) values[current] += ` ${line.trim()}`;
          continue;
        }
        const colon = line.indexOf(':');
        current = colon > 0 && line.slice(0, colon).trim().toLowerCase() === name.toLowerCase() ? values.push(line.slice(colon + 1).trim()) - 1 : -1;
      }
      return values;
    };
    const piece = fc.constantFrom('X-Forwarded-For', 'x-forwarded-FOR', 'X-Forwarded-Fo', 'X-Forwarded-For-Not', 'Via', ':', ' ', '\t', ' 1.1.1.1 ', '2.2.2.2,', '\r', '\r\n', '\n', '\v', '\u00a0', 'é', 'X');
    const message = fc.array(piece, { maxLength: 30 }).map((pieces) => `REGISTER sip:a SIP/2.0\r\n${pieces.join('')}`);
    fc.assert(
      fc.property(message, (raw) => {
        expect(headerFieldValues(raw, 'X-Forwarded-For')).toEqual(bySplitting(raw, 'X-Forwarded-For'));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the fixtures as drachtio-srf would not: two spellings, one chain', () => {
    expect(headerFieldValues(fixture('sbc-udp-register-xff-split.sip'), 'x-forwarded-for')).toEqual(['203.0.113.9', '192.0.2.99']);
  });
});

describe('compileForwardingTrust', () => {
  it('refuses a malformed trusted-proxies list, naming the bad entries', () => {
    const result = compileForwardingTrust(cidrFixture('malformed.txt'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/^trusted proxies: invalid CIDR list, 5 bad entries/);
  });

  it('refuses a header name that is not a token', () => {
    expect(compileForwardingTrust('', 'X Forwarded').ok).toBe(false);
  });
});

describe('sourceOf', () => {
  const proxies = trust('10.20.0.0/24, 2001:db8:f::/48');

  it('is the socket peer when there is no header', () => {
    expect(sourceOf(request([]), proxies)).toEqual({ address: '10.20.0.5', port: 5060 });
  });

  it('takes the rightmost hop no trusted proxy vouches for', () => {
    expect(sourceOf(request(['198.51.100.1, 203.0.113.5, 10.20.0.9']), proxies).address).toBe('203.0.113.5');
    expect(sourceOf(request(['198.51.100.1', '2001:db8:f::2']), proxies).address).toBe('198.51.100.1');
  });

  it('takes the leftmost hop when every hop is a trusted proxy', () => {
    expect(sourceOf(request(['10.20.0.8, 10.20.0.9']), proxies).address).toBe('10.20.0.8');
  });

  it('stops at a malformed hop, which the policy core then denies', () => {
    expect(sourceOf(request(['203.0.113.5, 10.20.0.9:5060']), proxies).address).toBe('10.20.0.9:5060');
    expect(sourceOf(request(['203.0.113.5,,10.20.0.9']), proxies).address).toBe('');
  });

  it('reports the header of an untrusted sender and keeps its own address', () => {
    expect(sourceOf(request(['203.0.113.5'], '192.0.2.1'), proxies)).toEqual({ address: '192.0.2.1', port: 5060, spoofedHeader: '203.0.113.5' });
  });

  it('shortens a huge spoofed header for the log', () => {
    const spoofed = sourceOf(request(['1.1.1.1, '.repeat(200)], '192.0.2.1'), proxies).spoofedHeader ?? '';
    expect(spoofed.length).toBeLessThanOrEqual(257);
  });
});
