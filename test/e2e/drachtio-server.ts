/**
 * A real drachtio-server on loopback for the end-to-end suite.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { waitFor } from '../support/net.js';
import type { ServerCertificate } from './throwaway-ca.js';

/** DRACHTIO_BIN, else `drachtio` on PATH; undefined when there is neither. */
export function findDrachtio(): string | undefined {
  const candidates = process.env.DRACHTIO_BIN ? [process.env.DRACHTIO_BIN] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'drachtio'));
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface DrachtioPorts {
  /** Admin port the application connects to. */
  readonly admin: number;
  /** SIP over udp and tcp. */
  readonly sip: number;
  /** SIP over WebSocket. */
  readonly ws: number;
  /** SIP over TLS (RFC 3261 §26.2); needs DrachtioOptions.certificate. */
  readonly tls?: number;
  /** SIP over secure WebSocket (RFC 7118); needs DrachtioOptions.certificate. */
  readonly wss?: number;
}

export const SECRET = 'cymru';

export interface DrachtioServer {
  readonly ports: DrachtioPorts;
  /** The server's process id (the benchmark reads its CPU time). */
  readonly pid: number | undefined;
  /** Everything it logged (the last 200 kB), for failure messages. */
  readonly output: () => string;
  stop(): Promise<void>;
}

function adminReachable(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(undefined));
  });
}

export interface DrachtioOptions {
  /**
   * drachtio's --loglevel, default 'info' (which logs every SIP message);
   * the benchmark uses 'notice' to keep that out of its figures.
   */
  readonly logLevel?: string;
  /** --sofia-loglevel, 0-9, default 3. */
  readonly sofiaLogLevel?: number;
  /** The certificate the tls and wss listeners present. */
  readonly certificate?: ServerCertificate;
  /** More command-line options (the blacklist's, say). */
  readonly args?: readonly string[];
}

/**
 * The --contact and TLS file flags for the tls and wss listeners. drachtio-server
 * hands its TLS files only to contacts that contain `sips` or `tls`
 * (controller.cpp), so the wss contact takes the sips scheme, as its sample
 * configuration does. The chain file is also the CA list sofia-sip's TLS
 * transport loads: without one it looks for ./cafile.pem and the tls listener
 * fails to bind ("error loading CA list").
 */
function secureListenerArgs(ports: DrachtioPorts, certificate: ServerCertificate | undefined): string[] {
  const contacts = [
    ...(ports.tls === undefined ? [] : ['--contact', `sips:127.0.0.1:${ports.tls};transport=tls`]),
    ...(ports.wss === undefined ? [] : ['--contact', `sips:127.0.0.1:${ports.wss};transport=wss`]),
  ];
  if (contacts.length === 0) return [];
  if (certificate === undefined) throw new Error('tls and wss listeners need a certificate');
  return [...contacts, '--key-file', certificate.keyFile, '--cert-file', certificate.certFile, '--chain-file', certificate.caFile];
}

/**
 * Starts drachtio-server with its own config file (it wants an <admin> tag
 * even when configured by flags); `requestHandlers` adds a
 * <request-handlers> section for outbound connections.
 */
export async function startDrachtio(binary: string, ports: DrachtioPorts, requestHandlers = '', options: DrachtioOptions = {}): Promise<DrachtioServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sipwarden-drachtio-'));
  const config = join(dir, 'drachtio.conf.xml');
  writeFileSync(config, `<drachtio><admin/>${requestHandlers}</drachtio>\n`);
  const child: ChildProcess = spawn(binary, [
    '-f', config,
    '--address', '127.0.0.1', '--port', String(ports.admin), '--secret', SECRET,
    '--contact', `sip:127.0.0.1:${ports.sip};transport=udp,tcp`,
    '--contact', `sip:127.0.0.1:${ports.ws};transport=ws`,
    ...secureListenerArgs(ports, options.certificate),
    '--stdout', '--loglevel', options.logLevel ?? 'info', '--sofia-loglevel', String(options.sofiaLogLevel ?? 3),
    ...(options.args ?? []),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor('drachtio-server admin port', () => (child.exitCode === null ? adminReachable(ports.admin) : Promise.reject(new Error(`drachtio-server exited: ${output}`))));
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    ports,
    pid: child.pid,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(forced);
    },
  };
}
