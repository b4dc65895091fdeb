/**
 * Loopback ports and bounded waiting, for every suite that runs servers.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';


function tcpPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export function udpPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/**
 * The first port the kernel hands out for outgoing connections and for
 * listen(0). A port below it is never taken by a client socket: a port
 * asked of listen(0) was, now and then, between the check and a server's
 * bind (a Redis or drachtio-srf client's connect got it first: `Address
 * already in use`).
 */
const EPHEMERAL_FIRST = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
})();
const LOWEST = 10_000;

/** A port free for both TCP and UDP on `host` (a SIP listener wants both), picked at random below the ephemeral range. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (EPHEMERAL_FIRST - LOWEST));
    if ((await tcpPortFree(host, port)) && (await udpPortFree(host, port))) return port;
  }
  throw new Error(`no port free for tcp and udp on ${host} between ${LOWEST} and ${EPHEMERAL_FIRST - 1}`);
}

/** Polls `probe` until it returns a value other than undefined; rejects after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Polls `check` every 5 ms until it holds; returns how many milliseconds that took. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  await waitFor(what, async () => ((await check()) ? true : undefined), timeoutMs, 5);
  return Date.now() - started;
}
