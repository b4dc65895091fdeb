/**
 * SIP transports, the scope each one selects, and the listener lists that
 * tell them apart.
 *
 * The transport of a request is a fact about the socket it arrived on
 * (RFC 3261 §18.2.1: the server notes where it *received* the request),
 * while the Via sent-protocol (§20.42) is only what the client claims. So a
 * request's transport is read from the local listener it arrived on, never
 * from its Via.
 */
import type { Scope } from '../policy/index.js';

export const TRANSPORTS = ['udp', 'tcp', 'tls', 'ws', 'wss'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/**
 * WebSocket transports (RFC 7118) carry browsers, which the `webrtc` list
 * guards; udp, tcp and tls carry desk phones and softphones: the `sip` list.
 */
const SCOPE_OF: Readonly<Record<Transport, Scope>> = {
  udp: 'sip',
  tcp: 'sip',
  tls: 'sip',
  ws: 'webrtc',
  wss: 'webrtc',
};

export function scopeOf(transport: Transport): Scope {
  return SCOPE_OF[transport];
}

function isTransport(name: string): name is Transport {
  return (TRANSPORTS as readonly string[]).includes(name);
}

/** One socket drachtio-server listens on: `ws/127.0.0.1:8080`. */
export interface Listener {
  readonly transport: Transport;
  /** Lower-case, without IPv6 brackets; WILDCARD_HOST for `0.0.0.0`, `::` and `*`. */
  readonly host: string;
  readonly port: number;
}

/** A listener bound to every local address. */
export const WILDCARD_HOST = '*';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Splits `address:port` (`127.0.0.1:5060`, `[::1]:5060`, `::1:5060`, as
 * drachtio writes `receivedOn` and its listener lists) at the last colon.
 * Returns undefined when the port is not 1-65535.
 */
export function splitHostPort(text: string): HostPort | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const portText = text.slice(colon + 1);
  if (!/^[1-9][0-9]{0,4}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  let host = text.slice(0, colon).toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '0.0.0.0' || host === '::') host = WILDCARD_HOST;
  return host === '' ? undefined : { host, port };
}

export interface ParsedListeners {
  readonly listeners: readonly Listener[];
  /** One message per token that is not `transport/host:port` or clashes with an earlier one. */
  readonly errors: readonly string[];
}

/**
 * At one address and port there is at most one datagram socket (udp) and one
 * stream socket (tcp, tls, ws or wss): the kernel allows no more.
 */
export function isDatagram(transport: Transport): boolean {
  return transport === 'udp';
}

/**
 * Parses a comma-separated listener list, the form drachtio-server announces
 * when an application connects (`ws/127.0.0.1:8080,tcp/127.0.0.1:5060,udp/127.0.0.1:5060`)
 * and the form the configuration takes. Keeps every valid entry and names
 * every bad one.
 */
export function parseListeners(text: string): ParsedListeners {
  const listeners: Listener[] = [];
  const errors: string[] = [];
  const taken = new Map<string, Transport>();
  for (const raw of text.split(',')) {
    const token = raw.trim();
    if (token === '') continue;
    const slash = token.indexOf('/');
    const transport = token.slice(0, slash).toLowerCase();
    const hostPort = slash > 0 ? splitHostPort(token.slice(slash + 1)) : undefined;
    if (!isTransport(transport) || hostPort === undefined) {
      errors.push(`${JSON.stringify(token)} is not transport/host:port with transport one of ${TRANSPORTS.join(', ')}`);
      continue;
    }
    const socket = `${isDatagram(transport) ? 'datagram' : 'stream'} ${hostPort.host}:${hostPort.port}`;
    const earlier = taken.get(socket);
    if (earlier !== undefined) {
      if (earlier !== transport) errors.push(`${JSON.stringify(token)} clashes with ${earlier} on the same address and port`);
      continue;
    }
    taken.set(socket, transport);
    listeners.push({ transport, ...hostPort });
  }
  return { listeners, errors };
}
