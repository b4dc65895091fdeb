/**
 * The ports the kernel sink guards: a banned source's packets to them are
 * dropped, to any other port they pass (the sink sheds SIP floods, it is no
 * general firewall). Written `udp:5060,tcp:5060,tcp:5061`; or, unset, taken
 * from the listeners drachtio-server announces: tls, ws and wss run over tcp.
 */
import type { Listener } from '../sip/index.js';

export const GUARDED_PROTOCOLS = ['udp', 'tcp'] as const;
export type GuardedProtocol = (typeof GUARDED_PROTOCOLS)[number];

export interface GuardedPort {
  readonly protocol: GuardedProtocol;
  readonly port: number;
}

export type GuardedPortsResult = { readonly ok: true; readonly ports: readonly GuardedPort[] } | { readonly ok: false; readonly message: string };

/** `udp:5060,tcp:5060`: each entry protocol:port; duplicates are kept once. */
export function parseGuardedPorts(text: string): GuardedPortsResult {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) return { ok: false, message: 'no ports: give protocol:port entries, e.g. udp:5060,tcp:5060' };
  const ports: GuardedPort[] = [];
  for (const entry of entries) {
    const match = /^(udp|tcp):([1-9][0-9]{0,4})$/i.exec(entry);
    const port = Number(match?.[2]);
    if (match === null || port > 65535) return { ok: false, message: `${JSON.stringify(entry)} is not protocol:port (udp or tcp, port 1-65535), e.g. udp:5060` };
    ports.push({ protocol: match[1]!.toLowerCase() as GuardedProtocol, port });
  }
  return { ok: true, ports: mergePorts([], ports) };
}

/** The protocol a listener's packets arrive with. */
export function portOfListener(listener: Listener): GuardedPort {
  return { protocol: listener.transport === 'udp' ? 'udp' : 'tcp', port: listener.port };
}

/** `known` and `more` together, each port once, in a stable order (protocol, then port). */
export function mergePorts(known: readonly GuardedPort[], more: readonly GuardedPort[]): GuardedPort[] {
  const byKey = new Map<string, GuardedPort>();
  for (const port of [...known, ...more]) byKey.set(`${port.protocol}:${port.port}`, port);
  return [...byKey.values()].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port);
}
