/**
 * The baseline for bench/sip.ts: a bare drachtio-srf application, no
 * middleware and no check. In 'denied' mode it answers every REGISTER 403
 * at once; in 'allowed' mode it proxies every REGISTER to the upstream as
 * sipwarden's edge does (remainInDialog, i.e. record-routed). What sipwarden
 * adds on top is its own work: the access filter, the tenant and upstream
 * lookups, the decision log line and the metrics.
 */
import Srf from 'drachtio-srf';

export type BareMode = 'denied' | 'allowed';

export interface BareApp {
  /** What the next REGISTERs get; switched between runs. */
  mode: BareMode;
  close(): void;
}

export interface BareOptions {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  /** host:port of the upstream the 'allowed' mode proxies to. */
  readonly upstream: string;
  readonly timeoutMs?: number;
}

/** Connects to drachtio-server; resolves once it has announced its SIP listeners. */
export function startBareSrf(options: BareOptions): Promise<BareApp> {
  const srf = new Srf();
  const destination = `sip:${options.upstream}`;
  const app: BareApp = { mode: 'denied', close: () => srf.disconnect() };
  srf.use('register', (req, res) => {
    if (app.mode === 'denied') return res.send(403);
    srf.proxyRequest(req, destination, { remainInDialog: true }, (error) => {
      if (error) res.send(503);
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      srf.removeAllListeners('connect');
      reject(new Error(`bare drachtio-srf app: no connection to drachtio-server on port ${options.port}`));
    }, options.timeoutMs ?? 10_000);
    srf.on('error', () => undefined);
    srf.on('connect', (error, hostport) => {
      if (error || !hostport) return;
      clearTimeout(timer);
      resolve(app);
    });
    void srf.connect({ host: options.host, port: options.port, secret: options.secret });
  });
}
