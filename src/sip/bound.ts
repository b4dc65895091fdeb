/**
 * Whether a server socket could be bound, as a value.
 */
import type { Server } from 'node:net';
import type { Logger } from 'pino';

export type BindResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

/**
 * Resolves once `server` listens, or with why it could not (`what` names it
 * in the message); errors after that are logged, never thrown.
 * Call it in the same tick as `listen()`: both events come later.
 */
export function whenBound(server: Server, what: string, logger: Logger): Promise<BindResult> {
  return new Promise((resolve) => {
    server.once('listening', () => resolve({ ok: true }));
    server.on('error', (error) => {
      if (!server.listening) resolve({ ok: false, message: `cannot ${what}: ${error.message}` });
      else logger.error({ err: error }, `failed to ${what}`);
    });
  });
}
