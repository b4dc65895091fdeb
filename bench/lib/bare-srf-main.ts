/**
 * The bare drachtio-srf application (bare-srf.ts) as a process of its own,
 * for the benchmarks, whose CPU figures are read from /proc per process:
 *   node --import tsx bench/lib/bare-srf-main.ts <admin port> <secret> <upstream host:port> [denied|allowed]
 * Answers every REGISTER as its mode says (default denied); writes "ready"
 * once connected to drachtio-server; a line "denied" or "allowed" on its
 * standard input switches the mode, answered "mode <mode>"; stops on SIGTERM.
 */
import { createInterface } from 'node:readline';
import { type BareMode, startBareSrf } from './bare-srf.js';

const MODES: readonly BareMode[] = ['denied', 'allowed'];
const isMode = (text: string | undefined): text is BareMode => MODES.includes(text as BareMode);

const [port, secret, upstream, mode = 'denied'] = process.argv.slice(2);
if (port === undefined || secret === undefined || upstream === undefined || !isMode(mode)) {
  process.stderr.write('usage: bare-srf-main.ts <admin port> <secret> <upstream host:port> [denied|allowed]\n');
  process.exit(2);
}
const app = await startBareSrf({ host: '127.0.0.1', port: Number(port), secret, upstream });
app.mode = mode;
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  const next = line.trim();
  if (!isMode(next)) return void process.stderr.write(`bare app: unknown mode ${JSON.stringify(next)}\n`);
  app.mode = next;
  process.stdout.write(`mode ${next}\n`);
});
process.on('SIGTERM', () => {
  app.close();
  process.exit(0);
});
