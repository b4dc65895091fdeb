/**
 * A desk phone's SIP over TLS (RFC 3261 §26.2) for the end-to-end suite,
 * since Debian's sipp is built without TLS: node:tls from a chosen loopback
 * address, verifying the server against the test's CA as a phone verifies
 * its provider.
 */
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** Where the client's end of the connection is, for its Via and Contact. */
export interface LocalEnd {
  readonly address: string;
  readonly port: number;
}

/**
 * Splits the complete messages off text read from a stream. Over a stream a
 * message ends after its Content-Length (compact form `l`, RFC 3261 §7.3.3)
 * bytes of body (§18.3); latin1 text keeps one character per byte, so lengths
 * are byte counts.
 */
export function takeMessages(buffered: string): { messages: string[]; rest: string } {
  const messages: string[] = [];
  let rest = buffered;
  for (;;) {
    const headerEnd = rest.indexOf('\r\n\r\n');
    if (headerEnd < 0) break;
    const length = Number(/^(?:Content-Length|l)[ \t]*:[ \t]*(\d+)/im.exec(rest.slice(0, headerEnd))?.[1] ?? 0);
    const end = headerEnd + 4 + length;
    if (rest.length < end) break;
    messages.push(rest.slice(0, end));
    rest = rest.slice(end);
  }
  return { messages, rest };
}

/**
 * Connects from `from` to drachtio-server's TLS listener on 127.0.0.1:`port`,
 * sends the request `compose` builds for the connection's local end, and
 * resolves with the final response's status line, or undefined when none
 * came within `timeoutMs`. Rejects when the TLS handshake fails.
 */
export function sendTls(compose: (local: LocalEnd) => string, from: string, port: number, ca: string, timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    // node:tls takes no local address of its own: it runs over a TCP socket bound to one.
    const tcp = connectTcp({ host: '127.0.0.1', port, localAddress: from });
    const socket = connectTls({ socket: tcp, host: '127.0.0.1', ca });
    let buffered = '';
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      settle();
    };
    const timer = setTimeout(() => finish(() => resolve(undefined)), timeoutMs);
    socket.setEncoding('latin1');
    socket.once('secureConnect', () => socket.write(compose({ address: from, port: tcp.localPort ?? 0 }), 'latin1'));
    socket.on('data', (chunk: string) => {
      const taken = takeMessages(buffered + chunk);
      buffered = taken.rest;
      const final = taken.messages.map((message) => message.split('\r\n', 1)[0] ?? '').find((line) => /^SIP\/2\.0 [2-6]\d\d/.test(line));
      if (final !== undefined) finish(() => resolve(final));
    });
    socket.once('error', (error) => finish(() => reject(error)));
  });
}
