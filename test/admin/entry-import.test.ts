import { describe, expect, it } from 'vitest';
import { entryMatcher } from '../../src/admin/entry-filter.js';
import { parseImport } from '../../src/admin/entry-import.js';

describe('parseImport', () => {
  it('reads one entry per line with an optional description, and comma-separated lines', () => {
    const text = ['# office networks', '203.0.113.0/24   Head office', '', '198.51.100.7 VPN gateway, 198.51.100.8 VPN 2', '192.0.2.0/24,192.0.3.0/24,', '  2001:db8::/32\tIPv6 block  '].join('\n');
    expect(parseImport(text, true)).toEqual([
      { line: 2, input: { value: '203.0.113.0/24', active: true, description: 'Head office' } },
      { line: 4, input: { value: '198.51.100.7', active: true, description: 'VPN gateway' } },
      { line: 4, input: { value: '198.51.100.8', active: true, description: 'VPN 2' } },
      { line: 5, input: { value: '192.0.2.0/24', active: true } },
      { line: 5, input: { value: '192.0.3.0/24', active: true } },
      { line: 6, input: { value: '2001:db8::/32', active: true, description: 'IPv6 block' } },
    ]);
  });

  it('keeps empty pieces in the middle of a line so validation can name them', () => {
    expect(parseImport('1.2.3.4,,5.6.7.8', false).map((e) => e.input.value)).toEqual(['1.2.3.4', '', '5.6.7.8']);
    expect(parseImport('1.2.3.4', false)[0]!.input.active).toBe(false);
  });

  it('counts lines across CRLF endings', () => {
    expect(parseImport('1.2.3.4\r\n\r\n5.6.7.8\r\n', true).map((e) => e.line)).toEqual([1, 3]);
  });
});

describe('entryMatcher', () => {
  const entry = { value: '192.0.2.0/24', description: 'Branch Office', active: true };
  it.each([
    [{}, true],
    [{ value: '192.0.2' }, true],
    [{ value: '/24' }, true],
    [{ value: '10.' }, false],
    [{ state: 'active' as const }, true],
    [{ state: 'inactive' as const }, false],
    [{ description: 'branch' }, true],
    [{ description: 'hq' }, false],
    [{ q: 'OFFICE' }, true],
    [{ q: '192.0' }, true],
    [{ q: 'active' }, true],
    [{ q: 'inactive' }, false],
    [{ q: 'branch', state: 'inactive' as const }, false],
  ])('%j -> %s', (filter, expected) => {
    expect(entryMatcher(filter)(entry)).toBe(expected);
  });
});
