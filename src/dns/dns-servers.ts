/**
 * The DNS servers an edge asks, as `SIPWARDEN_DNS_SERVERS` gives them:
 * comma-separated `ip[:port]`, an IPv6 address with a port in brackets
 * (`192.0.2.53`, `192.0.2.53:5353`, `2001:db8::53`, `[2001:db8::53]:5353`).
 */
import { ADDRESS_WORDS, parseAddress } from '../policy/ip-address.js';

export type DnsServersResult = { readonly ok: true; readonly servers: readonly string[] } | { readonly ok: false; readonly bad: string };

const words = new Uint32Array(ADDRESS_WORDS);

/** One server in the form dns.Resolver.setServers takes, or undefined when it is no `ip[:port]`. */
function server(text: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const colons = text.split(':').length - 1;
  const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : colons === 1 ? text.split(':') : [text, undefined];
  if (host === undefined || parseAddress(host, words) === 0 || host.includes('[')) return undefined;
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return undefined;
  const ipv6 = host.includes(':');
  if (port === undefined) return host;
  return ipv6 ? `[${host}]:${Number(port)}` : `${host}:${Number(port)}`;
}

export function parseDnsServers(items: readonly string[]): DnsServersResult {
  const servers: string[] = [];
  for (const item of items) {
    const parsed = server(item);
    if (parsed === undefined) return { ok: false, bad: item };
    servers.push(parsed);
  }
  return { ok: true, servers };
}
