/**
 * The edge's table of denied sources (issue 14): bounded whatever the scan,
 * the sources that knock most survive a scan of one-off probes, headers are
 * cleaned before anyone sees them, and rows of a failed flush come back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DeniedRequest, DeniedSourceTable } from '../../src/sip/denied-sources.js';

const denied = (address: string, at: number, more: Partial<DeniedRequest> = {}): DeniedRequest => ({ tenant: 'acme', scope: 'sip', address, method: 'REGISTER', transport: 'udp', at, ...more });

describe('DeniedSourceTable', () => {
  it('counts each source once per tenant and scope, with first and last seen and the last request described', () => {
    const table = new DeniedSourceTable(16);
    table.note(denied('192.0.2.1', 1000, { userAgent: 'friendly-scanner', domain: 'acme.example' }));
    table.note(denied('192.0.2.1', 3000, { method: 'INVITE', transport: 'tcp', userAgent: 'sipvicious' }));
    table.note(denied('192.0.2.1', 2000, { method: 'OPTIONS' }));
    table.note(denied('192.0.2.1', 1500, { scope: 'webrtc', transport: 'wss' }));
    table.note(denied('192.0.2.1', 1500, { tenant: 'other' }));
    const rows = table.drain();
    expect(rows).toHaveLength(3);
    // The out-of-order sighting (2000 after 3000) counts but does not describe.
    expect(rows[0]).toEqual({ tenant: 'acme', scope: 'sip', address: '192.0.2.1', count: 3, firstSeen: 1000, lastSeen: 3000, method: 'INVITE', transport: 'tcp', userAgent: 'sipvicious' });
    expect(table.size).toBe(0);
    expect(table.drain()).toEqual([]);
  });

  it('shows only printable ASCII of hostile headers, cut to 128 characters', () => {
    const table = new DeniedSourceTable(4);
    table.note(denied('192.0.2.1', 1, { userAgent: `evil\r\n\u001b[31m${'x'.repeat(10_000)}`, domain: 'ac\u0000me' }));
    const [row] = table.drain();
    expect(row!.userAgent).toBe(`evil???[31m${'x'.repeat(128 - 11)}`);
    expect(row!.domain).toBe('ac?me');
  });

  it('never holds more than its capacity, and keeps a heavy source through a scan of one-off probes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 256 }), fc.integer({ min: 1000, max: 20_000 }), (capacity, probes) => {
        const table = new DeniedSourceTable(capacity);
        for (let i = 0; i < probes; i++) {
          table.note(denied(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, i));
          // The flooder knocks once every 4 probes.
          if (i % 4 === 0) table.note(denied('203.0.113.66', i));
          expect(table.size).toBeLessThanOrEqual(capacity);
        }
        const flooder = table.drain().find((row) => row.address === '203.0.113.66');
        expect(flooder?.count).toBeGreaterThan(probes / 4 - capacity * 4);
      }),
      { numRuns: 20 },
    );
  });

  it('takes back the rows of a failed flush, adding them to what came since', () => {
    const table = new DeniedSourceTable(4);
    table.note(denied('192.0.2.1', 10));
    table.note(denied('192.0.2.2', 10));
    const failed = table.drain();
    table.note(denied('192.0.2.1', 20, { method: 'INVITE' }));
    table.restore(failed);
    const rows = table.drain();
    expect(rows.find((r) => r.address === '192.0.2.1')).toMatchObject({ count: 2, firstSeen: 10, lastSeen: 20, method: 'INVITE' });
    expect(rows.find((r) => r.address === '192.0.2.2')).toMatchObject({ count: 1, firstSeen: 10 });
  });
});
