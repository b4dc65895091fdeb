import { describe, expect, it } from 'vitest';
import { proxyValidationFailure } from '../../src/sip/proxy-validation.js';
import { fixture, inbound } from './drachtio-message.js';

const UDP = { protocol: 'udp', source: '192.0.2.10', port: 5060, receivedOn: '127.0.0.1:5060', server: 'udp/127.0.0.1:5060' } as const;

/** The desk phone's INVITE, as drachtio-srf parses it, after `edit`. */
function invite(edit: (raw: string) => string = (raw) => raw) {
  return inbound(edit(fixture('deskphone-udp-invite.sip')), UDP).req;
}
const withHeader = (line: string) => (raw: string) => raw.replace(/^Max-Forwards: .*$/m, (found) => `${found}\r\n${line}`);

describe('proxy validation (RFC 3261 §16.3)', () => {
  it('lets an ordinary request be proxied', () => {
    expect(proxyValidationFailure(invite())).toBeUndefined();
  });

  it('stops a request whose Max-Forwards reached 0, and only that', () => {
    expect(proxyValidationFailure(invite((raw) => raw.replace(/^Max-Forwards: .*$/m, 'Max-Forwards: 0')))).toEqual({ reason: 'too-many-hops' });
    expect(proxyValidationFailure(invite((raw) => raw.replace(/^Max-Forwards: .*$/m, 'Max-Forwards: 1')))).toBeUndefined();
  });

  it('names every extension a Proxy-Require asks for', () => {
    expect(proxyValidationFailure(invite(withHeader('Proxy-Require: foo, bar')))).toEqual({ reason: 'bad-extension', unsupported: 'foo, bar' });
  });

  it('stops a Request-URI carrying header fields, not one with only parameters', () => {
    const uri = (text: string) => (raw: string) => raw.replace(/^INVITE \S+/, `INVITE ${text}`);
    expect(proxyValidationFailure(invite(uri('sip:1001@acme.example?Route=%3Csip:example.com%3E')))).toEqual({ reason: 'uri-headers' });
    expect(proxyValidationFailure(invite(uri('sip:1001@acme.example;user=phone')))).toBeUndefined();
  });
});
