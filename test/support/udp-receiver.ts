/**
 * A UDP socket that notes what it heard and from whom: the kernel sink's
 * suites tell from it what the kernel let through.
 */
import { type Socket, createSocket } from 'node:dgram';

export interface UdpReceiver {
  readonly socket: Socket;
  heard(payload: string): boolean;
  /** Datagrams heard from `address` so far. */
  countFrom(address: string): number;
}

/** Large enough that a burst of a few thousand probes is not dropped by the socket rather than the kernel's rules (net.core.rmem_max caps it). */
const RECEIVE_BUFFER = 4 * 1024 * 1024;

export async function receiver(type: 'udp4' | 'udp6', host: string, port: number): Promise<UdpReceiver> {
  const socket = createSocket(type);
  const payloads = new Set<string>();
  const counts = new Map<string, number>();
  socket.on('message', (message, from) => {
    payloads.add(message.toString());
    counts.set(from.address, (counts.get(from.address) ?? 0) + 1);
  });
  await new Promise<void>((resolve) => socket.bind(port, host, resolve));
  socket.setRecvBufferSize(RECEIVE_BUFFER);
  return { socket, heard: (payload) => payloads.has(payload), countFrom: (address) => counts.get(address) ?? 0 };
}
