/**
 * Real drachtio-srf Request and Response objects from the raw fixtures,
 * built the way drachtio-srf's agent builds them for a message drachtio-server
 * hands over (lib/drachtio-agent.js `_onMsg`): the message parsed by
 * drachtio-srf's SIP parser, plus the metadata drachtio-server reports.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Srf from 'drachtio-srf';
import type { SipMiddleware, SipRequest, SipResponse } from '../../src/sip/sip-request.js';

const require = createRequire(import.meta.url);

interface DrachtioResponse extends SipResponse {
  req: unknown;
  readonly status?: number;
  readonly headers: Record<string, string>;
}
interface DrachtioRequest extends SipRequest {
  res: DrachtioResponse;
  agent: unknown;
}
/** The classes drachtio-srf exposes as static getters on Srf, which its typings omit. */
const drachtio = Srf as unknown as {
  SipMessage: new (raw: string) => object;
  SipRequest: new (message: object, meta: Record<string, unknown>) => DrachtioRequest;
  SipResponse: new (agent?: unknown) => DrachtioResponse;
};
/** An agent with no drachtio-server behind it: responses are built for real and go nowhere. */
const DrachtioAgent = require('drachtio-srf/lib/drachtio-agent.js') as new (handler: () => void) => object;

export const FIXTURES = new URL('../../sip-fixtures/', import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(`messages/${name}`, FIXTURES), 'utf8');
}

/** How a message reached the application, as drachtio-server reports it. */
export interface Arrival {
  /** `udp`, or `tcp` for tcp and ws alike (drachtio-server v0.9.10). */
  readonly protocol: 'udp' | 'tcp' | 'tls';
  readonly source: string;
  readonly port: number;
  /** The local listener, `address:port`. */
  readonly receivedOn: string;
  /** The drachtio-server's announced listener list. */
  readonly server: string;
}

export function inbound(raw: string, arrival: Arrival): { req: DrachtioRequest; res: DrachtioResponse } {
  const agent = new DrachtioAgent(() => undefined);
  const req = new drachtio.SipRequest(new drachtio.SipMessage(raw), {
    source: 'network',
    address: arrival.source,
    port: String(arrival.port),
    protocol: arrival.protocol,
    time: '12:00:00.000000',
    transactionId: 'f0e1d2c3-0000-4000-8000-000000000001',
    dialogId: '',
    server: { address: '127.0.0.1', hostport: arrival.server },
    receivedOn: arrival.receivedOn,
  });
  const res = new drachtio.SipResponse();
  req.res = res;
  res.req = req;
  req.agent = agent;
  (res as unknown as { agent: unknown }).agent = agent;
  return { req, res };
}

export interface Dispatched {
  /** The final status sent: 403 from the filter, or 200 from the handler behind it. */
  readonly status: number | undefined;
  readonly res: DrachtioResponse;
  /** Whether the request got past the filter. */
  readonly passed: boolean;
}

/**
 * Runs one message through a real drachtio-srf middleware chain:
 * `srf.use(filter)`, then a handler that answers 200 to what gets past.
 */
export function dispatch(filter: SipMiddleware, raw: string, arrival: Arrival): Dispatched {
  const srf = new Srf();
  let passed = false;
  srf.use(filter as unknown as Parameters<Srf['use']>[1]);
  srf.use(((req: DrachtioRequest, res: DrachtioResponse) => {
    passed = true;
    res.send(200);
  }) as unknown as Parameters<Srf['use']>[1]);
  const { req, res } = inbound(raw, arrival);
  (srf as unknown as { app: { handle(req: unknown, res: unknown): void } }).app.handle(req, res);
  return { status: res.status, res, passed };
}
