/**
 * The control connection between the edge and drachtio-server, in either
 * direction: inbound (we connect to drachtio's admin port and reconnect with
 * backoff while it is unreachable) or outbound (drachtio-server connects to
 * us, as its request-handlers configuration says).
 *
 * Each time a drachtio-server authenticates it announces its listeners; they
 * go to the ListenerDirectory, which is how requests' transports are known.
 */
import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import { whenBound } from './bound.js';
import type { ListenerDirectory } from './listener-directory.js';
import type { DrachtioAgent, MessageGuard } from './message-guard.js';

export interface InboundConnection {
  readonly mode: 'inbound';
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  /** First reconnect delay; doubles per failed attempt up to retryMaxDelayMs. */
  readonly retryMinDelayMs?: number;
  readonly retryMaxDelayMs?: number;
}

export interface OutboundConnection {
  readonly mode: 'outbound';
  /** Address to accept drachtio-server's connections on; default all. */
  readonly host?: string;
  readonly port: number;
  readonly secret: string;
}

export type DrachtioConnection = InboundConnection | OutboundConnection;

/**
 * Reconnect delays while drachtio-server is unreachable: every request gets
 * 503 from it meanwhile, and an attempt costs one TCP connect, so the edge
 * tries often; a restarted drachtio-server is served within 2 s of being up.
 */
export const DEFAULT_RETRY_MIN_DELAY_MS = 200;
export const DEFAULT_RETRY_MAX_DELAY_MS = 2000;
/** How long a connection must have worked for its loss to be retried without delay. */
const STABLE_CONNECTION_MS = 1000;

type ConnectListener = (error: Error | null | undefined, hostport: string, serverVersion?: string, localHostports?: string) => void;

/**
 * The part of drachtio-srf's Srf the link drives. Its bundled typings lack
 * `app`, what `listen` returns, the `close` event and the extra arguments of
 * `connect`, so they are written down here from lib/srf.js, lib/proto.js and
 * lib/drachtio-agent.js.
 */
export interface SrfConnector {
  connect(options: { host: string; port: number; secret: string; reconnect: { maxAttempts: number } }): unknown;
  listen(options: { host?: string; port: number; secret: string }): Server;
  disconnect(): void;
  on(event: 'close' | 'error', listener: (arg?: unknown) => void): unknown;
  /**
   * The middleware app under Srf. Its `connect` event comes before the first
   * request on the new connection is handled; Srf re-emits it a tick later,
   * when an outbound connection's first request may already have been
   * judged without the listeners it announced.
   */
  readonly app: {
    on(event: 'connect', listener: ConnectListener): unknown;
    /** The agent the last connect or listen made (lib/proto.js). */
    readonly client?: DrachtioAgent;
  };
}

export interface DrachtioLink {
  /** Inbound: authenticated to drachtio-server now. Outbound: accepting drachtio-server's connections. */
  readonly connected: boolean;
  close(): Promise<void>;
}

/** A connect event's outcome: usable, or why not. */
type Announcement = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Records the listeners a drachtio-server announces on connect. A server
 * that has just started can announce none while its SIP transports come up;
 * such a connection is of no use yet.
 */
function announcer(listeners: ListenerDirectory, logger: Logger) {
  return (error: Error | null | undefined, hostport: string, serverVersion?: string, localHostports?: string): Announcement => {
    if (error) return { ok: false, reason: `drachtio-server refused the connection (wrong secret?): ${error.message}` };
    const parsed = listeners.announceConnect(hostport, localHostports);
    const announced = localHostports ?? hostport;
    if (parsed.errors.length > 0) logger.warn({ errors: parsed.errors }, 'drachtio-server announced listeners sipwarden cannot use; requests on them are denied');
    if (parsed.listeners.length === 0) return { ok: false, reason: `drachtio-server announced no SIP listeners (${JSON.stringify(announced)}); not ready yet?` };
    logger.info({ server_version: serverVersion, listeners: announced }, 'connected to drachtio-server');
    return { ok: true };
  };
}

class InboundLink implements DrachtioLink {
  private authenticated = false;
  /** When the current connection authenticated (Date.now()). */
  private authenticatedAt = 0;
  private closing = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly srf: SrfConnector,
    private readonly options: InboundConnection,
    listeners: ListenerDirectory,
    private readonly logger: Logger,
    private readonly guard: MessageGuard,
  ) {
    const announce = announcer(listeners, logger);
    srf.app.on('connect', (...event) => {
      if (this.closing) return this.srf.disconnect();
      const announcement = announce(...event);
      if (!announcement.ok) {
        // Dropping the connection makes the link retry with backoff.
        this.logger.warn(announcement.reason);
        return this.srf.disconnect();
      }
      this.authenticated = true;
      this.authenticatedAt = Date.now();
      this.attempt = 0;
    });
    srf.on('error', (error) => {
      this.logger.debug({ err: error }, 'drachtio-server connection error');
    });
    srf.on('close', () => this.lost());
    this.connect();
  }

  get connected(): boolean {
    return this.authenticated;
  }

  private connect(): void {
    const { host, port, secret } = this.options;
    // drachtio-srf's own reconnect cannot be stopped before a first success
    // (Srf#disconnect throws without a socket), so it is switched off and the
    // link retries itself.
    this.srf.connect({ host, port, secret, reconnect: { maxAttempts: 1 } });
    this.guard.protect(this.srf.app.client);
  }

  /**
   * A refused attempt and a dropped connection both end here; one retry is
   * scheduled. A connection that had been working is retried at once:
   * drachtio-server is most likely still up (it dropped its client, or the
   * network blinked) and answers every request 503 until an application is
   * back. One that dropped soon after it authenticated backs off as a
   * refused one does, so a flapping server is not hammered.
   */
  private lost(): void {
    const wasWorking = this.authenticated && Date.now() - this.authenticatedAt >= STABLE_CONNECTION_MS;
    if (this.authenticated) this.logger.warn({ host: this.options.host, port: this.options.port }, 'lost the connection to drachtio-server');
    this.authenticated = false;
    if (this.closing || this.retryTimer !== undefined) return;
    const min = this.options.retryMinDelayMs ?? DEFAULT_RETRY_MIN_DELAY_MS;
    const max = this.options.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS;
    const delay = wasWorking ? 0 : Math.min(max, min * 2 ** Math.min(this.attempt, 30));
    if (!wasWorking) this.attempt++;
    this.logger.warn(
      { host: this.options.host, port: this.options.port, attempt: this.attempt, retry_in_ms: delay },
      'drachtio-server unreachable; SIP requests cannot be served until it is back',
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    if (this.authenticated) this.srf.disconnect();
    this.authenticated = false;
  }
}

class OutboundLink implements DrachtioLink {
  private readonly sockets = new Set<Socket>();

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get connected(): boolean {
    return this.server.listening;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export type DrachtioLinkResult = { readonly ok: true; readonly link: DrachtioLink } | { readonly ok: false; readonly message: string };

/** Outbound: resolves once the port is bound, or with the reason it could not be. */
async function listenForDrachtio(srf: SrfConnector, options: OutboundConnection, listeners: ListenerDirectory, logger: Logger, guard: MessageGuard): Promise<DrachtioLinkResult> {
  const announce = announcer(listeners, logger);
  srf.app.on('connect', (...event) => {
    const announcement = announce(...event);
    // drachtio-server opened this connection; it will offer requests on another.
    if (!announcement.ok) logger.warn(announcement.reason);
  });
  srf.on('error', (error) => logger.warn({ err: error }, 'drachtio-server connection error'));
  const { host, port, secret } = options;
  const server = srf.listen({ port, secret, ...(host === undefined ? {} : { host }) });
  guard.protect(srf.app.client);
  const bound = await whenBound(server, `accept drachtio-server connections on ${host ?? '*'}:${port}`, logger);
  if (!bound.ok) return bound;
  logger.info({ address: server.address() }, 'accepting outbound connections from drachtio-server');
  return { ok: true, link: new OutboundLink(server) };
}

export async function openDrachtioLink(
  srf: SrfConnector,
  connection: DrachtioConnection,
  listeners: ListenerDirectory,
  logger: Logger,
  guard: MessageGuard,
): Promise<DrachtioLinkResult> {
  if (connection.mode === 'outbound') return listenForDrachtio(srf, connection, listeners, logger, guard);
  return { ok: true, link: new InboundLink(srf, connection, listeners, logger, guard) };
}
