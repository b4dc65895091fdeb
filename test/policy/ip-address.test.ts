import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from '../../src/policy/ip-address.js';
import { refAddress } from './reference.js';

function parsed(text: string): { family: number; words: number[] } {
  const out = new Uint32Array(4);
  const family = parseAddress(text, out);
  return { family, words: family === 4 ? [out[0]!] : family === 6 ? [...out] : [] };
}

describe('parseAddress', () => {
  it.each([
    ['0.0.0.0', [0]],
    ['255.255.255.255', [0xffffffff]],
    ['192.0.2.1', [0xc0000201]],
    ['10.0.0.1', [0x0a000001]],
  ])('reads IPv4 %s', (text, words) => {
    expect(parsed(text)).toEqual({ family: 4, words });
  });

  it.each([
    ['::', [0, 0, 0, 0]],
    ['::1', [0, 0, 0, 1]],
    ['2001:db8::1', [0x20010db8, 0, 0, 1]],
    ['2001:DB8:0:0:0:0:0:1', [0x20010db8, 0, 0, 1]],
    ['1:2:3:4:5:6:7:8', [0x00010002, 0x00030004, 0x00050006, 0x00070008]],
    ['1::', [0x00010000, 0, 0, 0]],
    ['1:2:3:4:5:6:7::', [0x00010002, 0x00030004, 0x00050006, 0x00070000]],
    ['::2:3:4:5:6:7:8', [0x00000002, 0x00030004, 0x00050006, 0x00070008]],
    ['[2001:db8::1]', [0x20010db8, 0, 0, 1]],
    ['::1.2.3.4', [0, 0, 0, 0x01020304]],
    ['64:ff9b::192.0.2.33', [0x0064ff9b, 0, 0, 0xc0000221]],
  ])('reads IPv6 %s', (text, words) => {
    expect(parsed(text)).toEqual({ family: 6, words });
  });

  it('folds IPv4-mapped IPv6 to IPv4, in dotted and hex form', () => {
    expect(parsed('::ffff:192.0.2.1')).toEqual({ family: 4, words: [0xc0000201] });
    expect(parsed('::FFFF:c000:0201')).toEqual({ family: 4, words: [0xc0000201] });
    expect(parsed('[::ffff:192.0.2.1]')).toEqual({ family: 4, words: [0xc0000201] });
  });

  it.each([
    ['', 'empty'],
    ['010.0.0.1', 'leading zero octet (octal or decimal?)'],
    ['1.2.3.04', 'leading zero in last octet'],
    ['0x7f.0.0.1', 'hex octet'],
    ['0x7f000001', 'hex number'],
    ['127.1', 'short form'],
    ['2130706433', 'decimal number'],
    ['256.0.0.1', 'octet out of range'],
    ['1.2.3', 'three octets'],
    ['1.2.3.4.5', 'five octets'],
    ['1.2.3.', 'trailing dot'],
    ['.1.2.3', 'leading dot'],
    [' 1.2.3.4', 'leading space'],
    ['1.2.3.4 ', 'trailing space'],
    ['+1.2.3.4', 'sign'],
    ['[1.2.3.4]', 'bracketed IPv4'],
    ['1.2.3.4/32', 'a CIDR is not an address'],
    ['fe80::1%eth0', 'zone id'],
    [':::', 'triple colon'],
    ['1:::2', 'triple colon inside'],
    ['1::2::3', 'two gaps'],
    [':1:2:3:4:5:6:7', 'leading single colon'],
    ['1:2:3:4:5:6:7:', 'trailing single colon'],
    ['1:2:3:4:5:6:7:8:9', 'nine groups'],
    ['1:2:3:4:5:6:7', 'seven groups without gap'],
    ['1:2:3:4:5:6:7:8::', 'gap with eight groups'],
    ['12345::', 'five hex digits'],
    ['g::1', 'not hex'],
    ['::ffff:010.0.0.1', 'mapped with leading zero'],
    ['::1.2.3.4:5', 'dotted quad not last'],
    ['1:2:3:4:5:6:7:1.2.3.4', 'dotted quad past eight groups'],
    ['[2001:db8::1', 'unbalanced bracket'],
    ['2001:db8::1\u0000', 'NUL byte'],
    ['١.٢.٣.٤', 'non-ASCII digits'],
  ])('refuses %j (%s)', (text) => {
    expect(parseAddress(text, new Uint32Array(4))).toBe(0);
  });

  it('formats IPv6 per RFC 5952 (longest zero run, first on a tie, lower case)', () => {
    const words = (text: string) => {
      const out = new Uint32Array(4);
      expect(parseAddress(text, out)).toBe(6);
      return out;
    };
    expect(formatAddress(6, words('2001:0DB8:0:0:1:0:0:1'), 0)).toBe('2001:db8::1:0:0:1');
    expect(formatAddress(6, words('2001:db8:0:1:1:1:1:1'), 0)).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatAddress(6, words('0:0:0:0:0:0:0:0'), 0)).toBe('::');
    expect(formatAddress(6, words('1:0:0:0:0:0:0:0'), 0)).toBe('1::');
  });
});

describe('parseAddress against ipaddr.js', () => {
  const ipv4 = fc.integer({ min: 0, max: 0xffffffff });
  const ipv6Parts = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });

  it('agrees on every IPv4 address', () => {
    fc.assert(
      fc.property(ipv4, (value) => {
        const text = ipaddr.fromByteArray([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]).toString();
        expect(parsed(text)).toEqual({ family: 4, words: [value] });
      }),
    );
  });

  it('agrees on IPv6 in full, compressed, upper-case and mapped spellings', () => {
    fc.assert(
      fc.property(ipv6Parts, fc.constantFrom('full', 'compressed', 'upper', 'bracketed'), (parts, style) => {
        const address = new ipaddr.IPv6(parts);
        const text =
          style === 'full'
            ? address.toNormalizedString()
            : style === 'upper'
              ? address.toRFC5952String().toUpperCase()
              : style === 'bracketed'
                ? `[${address.toRFC5952String()}]`
                : address.toRFC5952String();
        const ref = refAddress(text)!;
        const got = parsed(text);
        expect(got.family).toBe(ref.family);
        const value = got.words.reduce((acc, w) => (acc << 32n) | BigInt(w), 0n);
        expect(value).toBe(ref.value);
        if (ref.family === 6) expect(formatAddress(6, Uint32Array.from(got.words), 0)).toBe(address.toRFC5952String());
      }),
    );
  });

  it('never accepts what ipaddr.js refuses, and reads the same value when both accept', () => {
    const alphabet = fc.constantFrom(...'0123456789abcdefABCDEF:.[]%x/ '.split(''));
    const noise = fc.array(alphabet, { maxLength: 45 }).map((chars) => chars.join(''));
    const mutated = fc
      .tuple(ipv6Parts, fc.nat(40), alphabet)
      .map(([parts, at, c]) => {
        const text = new ipaddr.IPv6(parts).toRFC5952String();
        return text.slice(0, at) + c + text.slice(at + 1);
      });
    fc.assert(
      fc.property(fc.oneof(noise, mutated), (text) => {
        const got = parsed(text);
        if (got.family === 0) return;
        const ref = refAddress(text);
        expect(ref).toBeDefined();
        expect(got.family).toBe(ref!.family);
        expect(got.words.reduce((acc, w) => (acc << 32n) | BigInt(w), 0n)).toBe(ref!.value);
      }),
      { numRuns: 5000 },
    );
  });
});
