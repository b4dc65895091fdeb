/**
 * Shared set-up of the middleware tests: one drachtio-server's listeners,
 * the tenants acme (acme.example) and beta (beta.example) with lists from
 * the fixtures, and a pino logger whose lines the test can read.
 */
import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { ListenerDirectory } from '../../src/sip/listener-directory.js';
import { parseListeners } from '../../src/sip/transport.js';
import { type Arrival, FIXTURES } from './drachtio-message.js';
import { TestPolicyView } from './test-policy-view.js';

/** What drachtio-server v0.9.10 announces for `--contact sip:127.0.0.1:5060;transport=udp,tcp --contact sip:127.0.0.1:8080;transport=ws`. */
export const ANNOUNCED = 'ws/127.0.0.1:8080,tcp/127.0.0.1:5060,udp/127.0.0.1:5060';

export function announcedListeners(): ListenerDirectory {
  const listeners = new ListenerDirectory();
  listeners.announce(ANNOUNCED, parseListeners(ANNOUNCED).listeners);
  return listeners;
}

export function cidrFixture(name: string): string {
  return readFileSync(new URL(`cidr/${name}`, FIXTURES), 'utf8');
}

export const overUdp = (source: string, port = 5060): Arrival => ({ protocol: 'udp', source, port, receivedOn: '127.0.0.1:5060', server: ANNOUNCED });
export const overTcp = (source: string, port = 49152): Arrival => ({ protocol: 'tcp', source, port, receivedOn: '127.0.0.1:5060', server: ANNOUNCED });
/** drachtio-server reports WebSocket requests as tcp; only the listener says ws. */
export const overWs = (source: string, port = 53122): Arrival => ({ protocol: 'tcp', source, port, receivedOn: '127.0.0.1:8080', server: ANNOUNCED });

export function tenantsView(): TestPolicyView {
  return new TestPolicyView()
    .mapDomain('acme.example', 'acme')
    .mapDomain('beta.example', 'beta')
    .setList('acme', 'sip', cidrFixture('sip-good.txt'), { '198.51.100.0/24': 'HQ desk phones' })
    .setList('acme', 'webrtc', cidrFixture('webrtc-good.txt'))
    .setList('beta', 'sip', '198.51.100.30')
    .setList('beta', 'webrtc', '')
    .setList('default', 'sip', '192.0.2.0/24');
}

export interface CapturedLog {
  readonly logger: Logger;
  readonly lines: Array<Record<string, unknown>>;
}

export function capturedLog(): CapturedLog {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}
