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
    expect(upstreams.targetFor('acme', 'sip:1001@acme.example')).toEqual({ upstream: 'sip:pbx.example.net:5080', destination: 'sip:1001@pbx.example.net:5080' });
    expect(upstreams.targetFor(undefined, 'sip:acme.example').destination).toBe('sip:pbx.example.net:5080');
  });

  it('keeps the upstream URI scheme and parameters', () => {
    const upstreams = compile('sips:pbx.example.net;transport=tls', { beta: 'sip:[2001:db8::5]:5060;transport=tcp' });
    expect(upstreams.targetFor('acme', 'sip:1001@acme.example;user=phone').destination).toBe('sips:1001@pbx.example.net;transport=tls');
    expect(upstreams.targetFor('beta', 'sip:1002@beta.example').destination).toBe('sip:1002@[2001:db8::5]:5060;transport=tcp');
    expect(upstreams.all()).toEqual(['sips:pbx.example.net;transport=tls', 'sip:[2001:db8::5]:5060;transport=tcp']);
  });

  it('lists an upstream shared by tenants once', () => {
    expect(compile('sip:pbx:5060', { acme: 'pbx:5060', beta: 'sip:pbx-b' }).all()).toEqual(['sip:pbx:5060', 'sip:pbx-b']);
  });

  it('refuses what is not a host', () => {
    expect(Upstreams.compile({ defaultUpstream: 'sip:alice@pbx.example.net' }).ok).toBe(false);
    expect(Upstreams.compile({ defaultUpstream: '' }).ok).toBe(false);
    const bad = Upstreams.compile({ defaultUpstream: 'pbx:5060', tenantUpstreams: { acme: 'sip:@' } });
    expect(bad.ok ? '' : bad.message).toContain('"acme"');
  });
});
