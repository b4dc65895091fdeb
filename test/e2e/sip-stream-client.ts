/**
 * SIP over a stream from a chosen loopback address, for the end-to-end
 * suites: plain TCP, and TLS (RFC 3261 §26.2) since Debian's sipp is built
 * without it, verifying the server against the test's CA as a phone
 * verifies its provider.
 */
import { type Socket, connect as connectTcp } from 'node:net';
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
 * Sends the request `compose` builds for the connection's local end (text,
 * written as latin1, or bytes as they are) once `socket` is ready, and
 * resolves with the final response's status line, or undefined when none
 * came within `timeoutMs`. Rejects on a socket error.
 */
function exchange(
  socket: Socket,
  readyEvent: 'connect' | 'secureConnect',
  local: () => LocalEnd,
  compose: (local: LocalEnd) => string | Buffer,
  timeoutMs: number,
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      settle();
    };
    const timer = setTimeout(() => finish(() => resolve(undefined)), timeoutMs);
    socket.setEncoding('latin1');
    socket.once(readyEvent, () => socket.write(compose(local()), 'latin1'));
    socket.on('data', (chunk: string) => {
      const taken = takeMessages(buffered + chunk);
      buffered = taken.rest;
      const final = taken.messages.map((message) => message.split('\r\n', 1)[0] ?? '').find((line) => /^SIP\/2\.0 [2-6]\d\d/.test(line));
      if (final !== undefined) finish(() => resolve(final));
    });
    socket.once('error', (error) => finish(() => reject(error)));
  });
}

/**
 * Over TLS from `from` to drachtio-server's TLS listener on 127.0.0.1:`port`,
 * trusting `ca`. Rejects when the TLS handshake fails.
 */
export function sendTls(compose: (local: LocalEnd) => string, from: string, port: number, ca: string, timeoutMs = 3000): Promise<string | undefined> {
  // node:tls takes no local address of its own: it runs over a TCP socket bound to one.
  const tcp = connectTcp({ host: '127.0.0.1', port, localAddress: from });
  const socket = connectTls({ socket: tcp, host: '127.0.0.1', ca });
  return exchange(socket, 'secureConnect', () => ({ address: from, port: tcp.localPort ?? 0 }), compose, timeoutMs);
}

/** Over plain TCP (RFC 3261 §18) from `from` to drachtio-server on 127.0.0.1:`port`. */
export function sendTcp(compose: (local: LocalEnd) => string | Buffer, from: string, port: number, timeoutMs = 3000): Promise<string | undefined> {
  const socket = connectTcp({ host: '127.0.0.1', port, localAddress: from });
  return exchange(socket, 'connect', () => ({ address: from, port: socket.localPort ?? 0 }), compose, timeoutMs);
}
