/**
 * What someone starting the edge with a wrong or incomplete configuration
 * reads: every variable that is wrong and, when required ones are unset, what
 * must already run and a command to copy. README's "Two commands" gives the
 * same commands.
 */
import type { SipEdgeOptions } from '../sip/index.js';
import type { EnvErrors } from './env.js';

/** Brings up drachtio-server, Redis, the edge and a PBX stand-in; run from the repository root. */
export const COMPOSE_UP = 'docker compose -f docker/compose.yaml up --build';

function drachtioLink(drachtio: SipEdgeOptions['drachtio']): string {
  return drachtio.mode === 'inbound'
    ? `the edge connects to its admin port, here ${drachtio.host}:${drachtio.port} (DRACHTIO_HOST, DRACHTIO_PORT)`
    : `it connects to the edge's port ${drachtio.port} (SIPWARDEN_DRACHTIO_LISTEN_PORT)`;
}

/** The text for stderr; `drachtio` is the drachtio connection as configured so far. */
export function configErrorReport(errors: EnvErrors, drachtio: SipEdgeOptions['drachtio']): string {
  const lines = ['sipwarden: cannot start: fix these environment variables:', ...errors.messages.map((m) => `  ${m}`)];
  if (errors.missing.length > 0) {
    lines.push(
      'The edge is no SIP server: a drachtio-server takes the SIP traffic and hands each request to it;',
      `${drachtioLink(drachtio)}. The edge proxies what it allows to your PBX.`,
      'Start drachtio-server, then the edge, e.g.:',
      `  ${errors.missing.map((v) => `${v.name}=${v.example}`).join(' ')} npm start`,
      'or bring up drachtio-server, Redis, the edge and a PBX stand-in together, from the repository root:',
      `  ${COMPOSE_UP}`,
    );
  }
  lines.push('Every setting is in the Configuration table of README.md.');
  return `${lines.join('\n')}\n`;
}
