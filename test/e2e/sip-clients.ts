/**
 * Clients the suite sends from, bound to a chosen loopback address:
 * a raw UDP sender for the fixtures, and sip.js registering over WebSocket
 * with Node's `ws` as its WebSocket.
 */
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { Registerer, UserAgent, Web } from 'sip.js';
import WebSocket from 'ws';

/** A fixture with a fresh Call-ID and branch, so sending it twice is two requests (RFC 3261 §8.2.2.2). */
export function fresh(raw: string): string {
  const id = randomUUID();
  return raw.replace(/^Call-ID: .*$/m, `Call-ID: ${id}`).replace(/branch=z9hG4bK[^;\r\n]*/, `branch=z9hG4bK${id.slice(0, 8)}`);
}

/** The final response to `raw` (text, or bytes as they are) sent over udp from `from`, whole; undefined if none came within `timeoutMs`. */
export function exchangeUdp(raw: string | Buffer, from: string, port: number, timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const done = (result: string | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('message', (message) => {
      const text = message.toString();
      if (!/^SIP\/2\.0 1\d\d/.test(text)) done(text);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.bind(0, from, () => socket.send(raw, port, '127.0.0.1'));
  });
}

/** The status line of the final response to `raw` sent over udp from `from`. */
export async function sendUdp(raw: string | Buffer, from: string, port: number, timeoutMs = 3000): Promise<string | undefined> {
  return (await exchangeUdp(raw, from, port, timeoutMs))?.split('\r\n', 1)[0];
}

/** Options of `ws` a user agent's WebSocket is made with. */
interface BoundSocketOptions {
  /** Local address to connect from. */
  readonly localAddress: string;
  /** PEM of the CA that signed a wss server's certificate. */
  readonly ca?: string;
}

/**
 * sip.js's web transport news up the global WebSocket; this one points it at
 * `ws` bound to a local address (and trusting `ca`, for wss) while it
 * connects, so each user agent can send from its own loopback address.
 */
class BoundTransport extends Web.Transport {
  private readonly socketOptions: BoundSocketOptions;

  constructor(logger: ConstructorParameters<typeof Web.Transport>[0], options: Web.TransportOptions & BoundSocketOptions) {
    super(logger, options);
    this.socketOptions = { localAddress: options.localAddress, ca: options.ca };
  }

  override connect(): Promise<void> {
    const global = globalThis as { WebSocket?: unknown };
    const saved = global.WebSocket;
    const socketOptions = this.socketOptions;
    global.WebSocket = class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, socketOptions);
      }
    };
    try {
      // Transport#connect constructs its WebSocket synchronously.
      return super.connect();
    } finally {
      global.WebSocket = saved;
    }
  }
}

/**
 * Registers `aor` from `from` through `server` (ws://… or wss://…, whose
 * certificate `ca` signed); resolves with the final status.
 */
export async function registerOverWebSocket(aor: string, server: string, from: string, ca?: string): Promise<number | undefined> {
  const uri = UserAgent.makeURI(aor);
  if (uri === undefined) throw new Error(`bad AOR ${aor}`);
  const ua = new UserAgent({
    uri,
    transportConstructor: BoundTransport,
    transportOptions: { server, localAddress: from, ca },
    logLevel: 'error',
  });
  await ua.start();
  try {
    const registerer = new Registerer(ua);
    return await new Promise<number | undefined>((resolve, reject) => {
      registerer
        .register({
          requestDelegate: {
            onAccept: (response) => resolve(response.message.statusCode),
            onReject: (response) => resolve(response.message.statusCode),
          },
        })
        .catch(reject);
    });
  } finally {
    await ua.stop();
  }
}
