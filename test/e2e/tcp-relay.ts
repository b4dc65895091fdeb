/**
 * A TCP relay between the edge and drachtio-server's admin port, so a suite
 * can cut the control connection the way a network fault or drachtio-server
 * dropping its client would, with both ends still running.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';

export interface TcpRelay {
  readonly port: number;
  /** Destroys every relayed connection, both sides; new ones are relayed again. */
  cut(): void;
  close(): Promise<void>;
}

export function startTcpRelay(targetPort: number, host = '127.0.0.1'): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect({ host, port: targetPort });
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (typeof address !== 'object' || address === null) return reject(new Error('relay has no port'));
      resolve({
        port: address.port,
        cut() {
          for (const socket of sockets) socket.destroy();
        },
        close() {
          for (const socket of sockets) socket.destroy();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}
