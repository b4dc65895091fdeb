/**
 * The stack of the kernel sink's e2e suites: the inbound stack with 127.0.0.2
 * allowed for acme.example, auto-ban on with `threshold` denials in 10 s and
 * a 200 ms sweep, and SIPWARDEN_BAN_SINK=nftables in `table`; `env` adds to
 * it. With what those suites ask of it: sipp registering from the allowed
 * address, and whether an address is in the kernel's ban set.
 */
import type { Logger } from 'pino';
import { nft } from '../support/nftables.js';
import { ALLOWED, type InboundStack, startInboundStack } from './main-job.js';
import { runUac } from './sipp.js';

export function startKernelStack(binary: string, logger: Logger, table: string, threshold: number, env: Record<string, string> = {}): Promise<InboundStack> {
  return startInboundStack(binary, { '{acme}:sip': ALLOWED }, { 'acme.example': 'acme' }, logger, {
    SIPWARDEN_AUTOBAN: 'on',
    SIPWARDEN_AUTOBAN_THRESHOLD: String(threshold),
    SIPWARDEN_AUTOBAN_WINDOW_S: '10',
    SIPWARDEN_AUTOBAN_DURATION_S: '600',
    SIPWARDEN_AUTOBAN_SWEEP_MS: '200',
    SIPWARDEN_BAN_SINK: 'nftables',
    SIPWARDEN_NFT_TABLE: table,
    ...env,
  });
}

/** The final status of one sipp REGISTER from the allowed address. */
export async function allowedRegisters(stack: InboundStack): Promise<number | undefined> {
  return (await runUac({ scenario: 'uac-register.xml', from: ALLOWED, domain: 'acme.example', user: 'desk', transport: 'udp', to: stack.ports.sip })).status;
}

/** True when `address` is in the kernel's IPv4 ban set of `table`. */
export function bannedInKernel(table: string, address: string): boolean {
  return nft(['list', 'set', 'inet', table, 'banned4']).includes(` ${address} `);
}
