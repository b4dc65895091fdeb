/**
 * The bare drachtio-srf application (bare-srf.ts) as a process of its own,
 * for bench/flood.ts, whose CPU figures are read from /proc per process:
 *   node --import tsx bench/lib/bare-srf-main.ts <admin port> <secret> <upstream host:port>
 * Answers every REGISTER 403 (its 'denied' mode); writes "ready" once
 * connected to drachtio-server; stops on SIGTERM.
 */
import { startBareSrf } from './bare-srf.js';

const [port, secret, upstream] = process.argv.slice(2);
if (port === undefined || secret === undefined || upstream === undefined) {
  process.stderr.write('usage: bare-srf-main.ts <admin port> <secret> <upstream host:port>\n');
  process.exit(2);
}
const app = await startBareSrf({ host: '127.0.0.1', port: Number(port), secret, upstream });
app.mode = 'denied';
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  app.close();
  process.exit(0);
});
