/**
 * Keeps one message drachtio-srf cannot handle from taking the edge down.
 *
 * drachtio-srf hands every message from drachtio-server to its agent inside
 * its socket reader (lib/wire-protocol.js `_onData`). When handling throws
 * (an upstream response its SIP parser cannot read, parsed for the proxy
 * callback in lib/request.js, is one way), the reader rethrows before it has
 * consumed the message: an inbound edge's process dies of the uncaught
 * exception, an outbound one has the connection closed, and every request
 * fails meanwhile. drachtio-server has already relayed that response to the
 * client by then, so the message is skipped, logged and counted instead.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { sharedMetric } from './shared-metric.js';
import { guardWireFraming } from './wire-resync.js';

export const SKIPPED_MESSAGES_METRIC = 'sipwarden_drachtio_messages_skipped_total';
export const RESYNCS_METRIC = 'sipwarden_drachtio_stream_resyncs_total';

/** drachtio-srf's agent (lib/drachtio-agent.js): its wire protocol emits each message as 'msg'. */
export interface DrachtioAgent {
  readonly wp?: EventEmitter;
}

type MessageListener = (...args: unknown[]) => void;
const GUARDED = Symbol('sipwarden guarded');
const RESYNC_WATCHED = Symbol('sipwarden resync watched');

export class MessageGuard {
  private readonly skipped: Counter;
  private readonly resyncs: Counter;

  constructor(
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.skipped = sharedMetric(
      registry,
      SKIPPED_MESSAGES_METRIC,
      () =>
        new Counter({
          name: SKIPPED_MESSAGES_METRIC,
          help: 'Messages from drachtio-server that drachtio-srf failed to handle and the edge skipped (an unparseable upstream response, for one).',
          registers: [registry],
        }),
    );
    this.resyncs = sharedMetric(
      registry,
      RESYNCS_METRIC,
      () => new Counter({ name: RESYNCS_METRIC, help: 'Times the stream from drachtio-server held a damaged frame and the reader was put back on the next whole one (wire-resync.ts).', registers: [registry] }),
    );
    // Before any connection: the reader is bound to each socket as it is made.
    guardWireFraming();
  }

  /** Wraps the agent's message listeners; call after each connect or listen, which make a new agent. */
  protect(agent: DrachtioAgent | undefined): void {
    const wire = agent?.wp;
    if (wire === undefined) {
      this.logger.error('drachtio-srf has no wire protocol where sipwarden expects it; messages it cannot handle will stop the edge');
      return;
    }
    const watched = wire as EventEmitter & { [RESYNC_WATCHED]?: true };
    if (!watched[RESYNC_WATCHED]) {
      watched[RESYNC_WATCHED] = true;
      wire.on('resync', (skipped: number) => {
        this.resyncs.inc();
        this.logger.error({ skippedBytes: skipped }, 'the stream from drachtio-server held a damaged frame; resynchronised on the next whole one');
      });
    }
    for (const listener of wire.listeners('msg') as MessageListener[]) {
      if ((listener as { [GUARDED]?: true })[GUARDED]) continue;
      // drachtio-srf emits 'msg' with (socket, message): two arguments passed on, not a rest array spread, once per message.
      const guarded: MessageListener = (socket, message) => {
        try {
          listener(socket, message);
        } catch (error) {
          this.skipped.inc();
          // The message itself is not logged: it may carry credentials.
          this.logger.error({ err: error }, 'drachtio-srf could not handle a message from drachtio-server; skipped it');
        }
      };
      Object.assign(guarded, { [GUARDED]: true });
      wire.removeListener('msg', listener);
      wire.on('msg', guarded);
    }
  }
}
