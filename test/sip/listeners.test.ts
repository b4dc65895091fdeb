import Srf from 'drachtio-srf';
import { describe, expect, it } from 'vitest';
import { ListenerDirectory } from '../../src/sip/listener-directory.js';
import { parseListeners, scopeOf } from '../../src/sip/transport.js';
import { ANNOUNCED, announcedListeners } from './harness.js';

describe('parseListeners', () => {
  it('reads the list drachtio-server announces', () => {
    expect(parseListeners(ANNOUNCED)).toEqual({
      listeners: [
        { transport: 'ws', host: '127.0.0.1', port: 8080 },
        { transport: 'tcp', host: '127.0.0.1', port: 5060 },
        { transport: 'udp', host: '127.0.0.1', port: 5060 },
      ],
      errors: [],
    });
  });

  it('reads what drachtio-server announces for a contact on every address (sip:*)', () => {
    // Captured from drachtio-server v0.9.10 with --contact 'sip:*:34357;transport=udp,tcp' --contact 'sip:*:36007;transport=ws'.
    const announced =
      'ws/[::1]:36007,ws/127.0.0.1:36007,ws/[fd00::2]:36007,ws/192.0.2.2:36007,tcp/[::1]:34357,udp/[::1]:34357,tcp/127.0.0.1:34357,' +
      'udp/127.0.0.1:34357,tcp/[fd00::2]:34357,udp/[fd00::2]:34357,tcp/192.0.2.2:34357,udp/192.0.2.2:34357';
    const listeners = new ListenerDirectory();
    listeners.announce(announced, parseListeners(announced).listeners);
    const server = { hostport: announced };
    expect(parseListeners(announced).errors).toEqual([]);
    expect(listeners.transportOf({ receivedOn: '192.0.2.2:36007', protocol: 'tcp', server })).toBe('ws');
    expect(listeners.transportOf({ receivedOn: '[fd00::2]:34357', protocol: 'udp', server })).toBe('udp');
    expect(listeners.transportOf({ receivedOn: 'fd00::2:34357', protocol: 'tcp', server })).toBe('tcp');
  });

  it('reads IPv6, wildcards, upper case and spaces', () => {
    expect(parseListeners(' WSS/[2001:DB8::1]:8443 , udp/0.0.0.0:5060, tls/[::]:5061,').listeners).toEqual([
      { transport: 'wss', host: '2001:db8::1', port: 8443 },
      { transport: 'udp', host: '*', port: 5060 },
      { transport: 'tls', host: '*', port: 5061 },
    ]);
  });

  it('names every bad entry and keeps the good ones', () => {
    const parsed = parseListeners('sctp/10.0.0.1:5060, udp/10.0.0.1, ws/10.0.0.1:70000, tcp/10.0.0.1:5060, ws/10.0.0.1:5060, udp/10.0.0.1:5060');
    expect(parsed.listeners.map((l) => l.transport)).toEqual(['tcp', 'udp']);
    expect(parsed.errors).toHaveLength(4);
    expect(parsed.errors[3]).toContain('clashes with tcp');
  });

  it('maps ws and wss to the webrtc scope, the rest to sip', () => {
    expect((['udp', 'tcp', 'tls', 'ws', 'wss'] as const).map(scopeOf)).toEqual(['sip', 'sip', 'sip', 'webrtc', 'webrtc']);
  });
});

describe('ListenerDirectory', () => {
  const server = { hostport: ANNOUNCED };

  it('tells udp from tcp on a shared port by the datagram/stream protocol, and ws from tcp by the port', () => {
    const listeners = announcedListeners();
    expect(listeners.transportOf({ receivedOn: '127.0.0.1:5060', protocol: 'udp', server })).toBe('udp');
    expect(listeners.transportOf({ receivedOn: '127.0.0.1:5060', protocol: 'tcp', server })).toBe('tcp');
    expect(listeners.transportOf({ receivedOn: '127.0.0.1:8080', protocol: 'tcp', server })).toBe('ws');
    // No udp listener on the ws port.
    expect(listeners.transportOf({ receivedOn: '127.0.0.1:8080', protocol: 'udp', server })).toBeUndefined();
  });

  it('knows nothing about a listener, a server or an arrival it was not told of', () => {
    const listeners = announcedListeners();
    expect(listeners.transportOf({ receivedOn: '127.0.0.1:5070', protocol: 'udp', server })).toBeUndefined();
    expect(listeners.transportOf({ receivedOn: '127.0.0.1:5060', protocol: 'udp', server: { hostport: 'udp/10.9.9.9:5060' } })).toBeUndefined();
    expect(listeners.transportOf({ receivedOn: '127.0.0.1:5060', protocol: 'udp' })).toBeUndefined();
    expect(listeners.transportOf({ protocol: 'udp', server })).toBeUndefined();
    expect(listeners.transportOf({ receivedOn: 'garbage', protocol: 'udp', server })).toBeUndefined();
  });

  it('keeps each server announcement apart, keyed by its public list (--external-ip)', () => {
    const listeners = new ListenerDirectory();
    listeners.announce('udp/203.0.113.5:5060,ws/203.0.113.5:8080', parseListeners('udp/10.0.0.5:5060,ws/10.0.0.5:8080').listeners);
    expect(listeners.transportOf({ receivedOn: '10.0.0.5:8080', protocol: 'tcp', server: { hostport: 'udp/203.0.113.5:5060,ws/203.0.113.5:8080' } })).toBe('ws');
  });

  it('prefers configured listeners, an exact address over a wildcard', () => {
    const listeners = new ListenerDirectory(parseListeners('ws/*:5060, tcp/127.0.0.1:5060').listeners);
    listeners.announce(ANNOUNCED, parseListeners(ANNOUNCED).listeners);
    expect(listeners.transportOf({ receivedOn: '127.0.0.1:5060', protocol: 'tcp', server })).toBe('tcp');
    expect(listeners.transportOf({ receivedOn: '10.1.1.1:5060', protocol: 'tcp', server })).toBe('ws');
    expect(listeners.transportOf({ receivedOn: '127.0.0.1:8080', protocol: 'tcp', server })).toBe('ws');
  });

  it('follows what the drachtio-servers an adopting application connects to announce', () => {
    const srf = new Srf();
    const app = (srf as unknown as { app: NodeJS.EventEmitter }).app;
    const listeners = new ListenerDirectory().follow(srf as unknown as Parameters<ListenerDirectory['follow']>[0]);
    app.emit('connect', null, 'udp/203.0.113.5:5060,ws/203.0.113.5:8080', 'v0.9.10', 'udp/10.0.0.5:5060,ws/10.0.0.5:8080');
    app.emit('connect', new Error('failed to authenticate to server'));
    expect(listeners.transportOf({ receivedOn: '10.0.0.5:8080', protocol: 'tcp', server: { hostport: 'udp/203.0.113.5:5060,ws/203.0.113.5:8080' } })).toBe('ws');
  });
});
