import { describe, expect, it } from 'vitest';
import { Upstreams } from '../../src/sip/upstream.js';

function compile(defaultUpstream: string, tenantUpstreams?: Record<string, string>): Upstreams {
  const result = Upstreams.compile({ defaultUpstream, ...(tenantUpstreams ? { tenantUpstreams } : {}) });
  if (!result.ok) throw new Error(result.message);
  return result.upstreams;
}

describe('Upstreams', () => {
  it('sends to the default upstream, keeping the dialled user', () => {
    const upstreams = compile('pbx.example.net:5080');
    expect(upstreams.destinationFor('acme', 'sip:1001@acme.example')).toBe('sip:1001@pbx.example.net:5080');
    expect(upstreams.destinationFor(undefined, 'sip:acme.example')).toBe('sip:pbx.example.net:5080');
  });

  it('keeps the upstream URI scheme and parameters', () => {
    const upstreams = compile('sips:pbx.example.net;transport=tls', { beta: 'sip:[2001:db8::5]:5060;transport=tcp' });
    expect(upstreams.destinationFor('acme', 'sip:1001@acme.example;user=phone')).toBe('sips:1001@pbx.example.net;transport=tls');
    expect(upstreams.destinationFor('beta', 'sip:1002@beta.example')).toBe('sip:1002@[2001:db8::5]:5060;transport=tcp');
  });

  it('refuses what is not a host', () => {
    expect(Upstreams.compile({ defaultUpstream: 'sip:alice@pbx.example.net' }).ok).toBe(false);
    expect(Upstreams.compile({ defaultUpstream: '' }).ok).toBe(false);
    const bad = Upstreams.compile({ defaultUpstream: 'pbx:5060', tenantUpstreams: { acme: 'sip:@' } });
    expect(bad.ok ? '' : bad.message).toContain('"acme"');
  });
});
