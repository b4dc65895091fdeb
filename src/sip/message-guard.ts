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

export const SKIPPED_MESSAGES_METRIC = 'sipwarden_drachtio_messages_skipped_total';

/** drachtio-srf's agent (lib/drachtio-agent.js): its wire protocol emits each message as 'msg'. */
export interface DrachtioAgent {
  readonly wp?: EventEmitter;
}

type MessageListener = (...args: unknown[]) => void;
const GUARDED = Symbol('sipwarden guarded');

export class MessageGuard {
  private readonly skipped: Counter;

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
  }

  /** Wraps the agent's message listeners; call after each connect or listen, which make a new agent. */
  protect(agent: DrachtioAgent | undefined): void {
    const wire = agent?.wp;
    if (wire === undefined) {
      this.logger.error('drachtio-srf has no wire protocol where sipwarden expects it; messages it cannot handle will stop the edge');
      return;
    }
    for (const listener of wire.listeners('msg') as MessageListener[]) {
      if ((listener as { [GUARDED]?: true })[GUARDED]) continue;
      const guarded: MessageListener = (...args) => {
        try {
          listener(...args);
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
