/**
 * A certificate authority made with `openssl` for one test run, and a server
 * certificate it signs for 127.0.0.1, so TLS and WSS clients can verify
 * drachtio-server the way a phone or browser verifies a real edge. Nothing
 * outlives the run: the files live in a temp dir removed by `remove()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerCertificate {
  /** PEM of the CA, what clients trust (`ca` of node:tls and ws). */
  readonly caPem: string;
  /** The CA certificate's file: drachtio-server's --chain-file. */
  readonly caFile: string;
  /** The server certificate (IP SAN 127.0.0.1): --cert-file. */
  readonly certFile: string;
  /** Its private key: --key-file. */
  readonly keyFile: string;
  remove(): void;
}

const openssl = (cwd: string, args: readonly string[]) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });

/** Makes the CA and a server certificate for 127.0.0.1, valid for a day. */
export function makeServerCertificate(): ServerCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'sipwarden-ca-'));
  openssl(dir, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=sipwarden throwaway test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', 'ca.key', '-out', 'ca.crt',
  ]);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
  // Clients check the address they dialled against the IP SAN, never the CN (RFC 6125 §6.2.1).
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'server.ext', '-out', 'server.crt']);
  const caFile = join(dir, 'ca.crt');
  return {
    caPem: readFileSync(caFile, 'utf8'),
    caFile,
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
