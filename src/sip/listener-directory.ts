/**
 * Which transport a request came over, from the listener it arrived on.
 *
 * drachtio-server (v0.9.10) reports requests that came over a WebSocket with
 * protocol `tcp`, so the protocol alone cannot tell ws from tcp. The local
 * address and port the request arrived on (`receivedOn`) can: it names one of
 * the listeners drachtio announced when the application connected, or one the
 * operator configured.
 */
import { type Listener, type ParsedListeners, type Transport, WILDCARD_HOST, isDatagram, parseListeners, splitHostPort } from './transport.js';

/** What the directory reads from a drachtio-srf request. */
export interface ArrivalFacts {
  /** `address:port` of the local listener, as drachtio-server reports it. */
  readonly receivedOn?: string;
  /** `udp` or `tcp` (also for ws), or `tls` (also for wss), as drachtio-server reports it. */
  readonly protocol: string;
  /** The drachtio-server the request came through; `hostport` is the list it announced. */
  readonly server?: { readonly hostport?: string };
}

/** Distinct `receivedOn` texts remembered; past it the memory starts again. */
const MAX_ARRIVALS = 256;

interface Sockets {
  datagram?: Transport;
  stream?: Transport;
}

/** Listeners by address and port. */
class ListenerTable {
  private readonly byHostPort = new Map<string, Sockets>();

  constructor(listeners: readonly Listener[]) {
    for (const { transport, host, port } of listeners) {
      const key = `${host}:${port}`;
      const sockets = this.byHostPort.get(key) ?? {};
      sockets[isDatagram(transport) ? 'datagram' : 'stream'] = transport;
      this.byHostPort.set(key, sockets);
    }
  }

  /**
   * The transport of the listener at `receivedOn`: its udp listener for a
   * datagram, else its one stream listener. An exact address wins over a
   * wildcard listener on the same port.
   */
  transportAt(receivedOn: string, protocol: string): Transport | undefined {
    let sockets = this.arrivals.get(receivedOn);
    if (sockets === undefined && !this.arrivals.has(receivedOn)) {
      sockets = this.socketsAt(receivedOn);
      // receivedOn names one of drachtio-server's own listeners: a handful, unless something is wrong.
      if (this.arrivals.size >= MAX_ARRIVALS) this.arrivals.clear();
      this.arrivals.set(receivedOn, sockets);
    }
    if (sockets === undefined) return undefined;
    return protocol === 'udp' || protocol.toLowerCase() === 'udp' ? sockets.datagram : sockets.stream;
  }

  /**
   * The listeners by `receivedOn` as drachtio-server writes it, found once:
   * every request names one, and splitting and looking it up again was 8%
   * of the access filter's time per request.
   */
  private readonly arrivals = new Map<string, Sockets | undefined>();

  private socketsAt(receivedOn: string): Sockets | undefined {
    const arrival = splitHostPort(receivedOn);
    if (arrival === undefined) return undefined;
    return this.byHostPort.get(`${arrival.host}:${arrival.port}`) ?? this.byHostPort.get(`${WILDCARD_HOST}:${arrival.port}`);
  }
}

export class ListenerDirectory {
  private readonly configured: ListenerTable;
  /** Announced listener tables by the server's public hostport list, which every request carries. */
  private readonly announced = new Map<string, ListenerTable>();

  /** `configured` listeners take precedence over what drachtio-server announces; `onAnnounce` hears each announcement. */
  constructor(
    configured: readonly Listener[] = [],
    private readonly onAnnounce?: (listeners: readonly Listener[]) => void,
  ) {
    this.configured = new ListenerTable(configured);
  }

  /**
   * Records the listeners a drachtio-server announced on connect. `server` is
   * its public hostport list (what requests carry as `server.hostport`);
   * `listeners` its local listeners, which `receivedOn` names (the two differ
   * when drachtio runs with --external-ip).
   */
  announce(server: string, listeners: readonly Listener[]): void {
    this.announced.set(server, new ListenerTable(listeners));
    this.onAnnounce?.(listeners);
  }

  /**
   * Records a drachtio-srf connect event's lists: `localHostports` (sent by
   * drachtio-server since 0.8) when there is one, else `hostport`. An empty
   * announcement is not recorded. Returns what was parsed.
   */
  announceConnect(hostport: string, localHostports: string | undefined): ParsedListeners {
    const parsed = parseListeners(localHostports ?? hostport);
    if (parsed.listeners.length > 0) this.announce(hostport, parsed.listeners);
    return parsed;
  }

  /**
   * For an application that adopts the access filter: keeps the directory up
   * to date with every drachtio-server `srf` connects to. Listens on the app
   * under Srf, whose `connect` comes before the connection's first request.
   */
  follow(srf: { readonly app: { on(event: 'connect', listener: (error: unknown, hostport: string, version?: string, localHostports?: string) => void): unknown } }): this {
    srf.app.on('connect', (error, hostport, _version, localHostports) => {
      if (!error) this.announceConnect(hostport, localHostports);
    });
    return this;
  }

  /** The transport the request arrived over, or undefined when no known listener matches. */
  transportOf(request: ArrivalFacts): Transport | undefined {
    const { receivedOn, protocol } = request;
    if (receivedOn === undefined) return undefined;
    const configured = this.configured.transportAt(receivedOn, protocol);
    if (configured !== undefined) return configured;
    const hostport = request.server?.hostport;
    return hostport === undefined ? undefined : this.announced.get(hostport)?.transportAt(receivedOn, protocol);
  }
}
